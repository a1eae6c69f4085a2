// Notification sinks for alarm state changes (issue 6) are being written.
enum AlarmActionsModule {}
