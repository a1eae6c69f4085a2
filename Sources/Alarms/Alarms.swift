// The alarm engine (issue 6) is being written; this file keeps the target buildable.
enum AlarmsModule {}
