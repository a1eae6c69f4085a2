/// Numbered schema migrations. `PRAGMA user_version` holds how many have been applied; opening an
/// older file applies the rest, each in its own transaction. Never edit a shipped migration:
/// append a new one.
enum Schema {
    static let migrations: [String] = [
        // 1: events, their raw records, sources, rejects, ingest runs.
        """
        CREATE TABLE sources (
            id            INTEGER PRIMARY KEY,
            path          TEXT NOT NULL,
            size          INTEGER NOT NULL,
            sha256        TEXT NOT NULL,
            format        TEXT,
            source_name   TEXT NOT NULL,
            status        TEXT NOT NULL CHECK (status IN ('partial', 'complete')),
            records       INTEGER NOT NULL DEFAULT 0,
            inserted      INTEGER NOT NULL DEFAULT 0,
            duplicates    INTEGER NOT NULL DEFAULT 0,
            rejects       INTEGER NOT NULL DEFAULT 0,
            started_ms    INTEGER NOT NULL,
            ingested_ms   INTEGER,
            verification  TEXT
        );
        CREATE UNIQUE INDEX sources_sha256 ON sources(sha256);

        -- One row per event. The promoted columns are what filters, queries and reports touch
        -- most; everything else is read from event_json. Kept narrow so scans stay fast.
        CREATE TABLE events (
            id                  INTEGER PRIMARY KEY,
            event_key           INTEGER NOT NULL,   -- EventKey.hash(event_id), probed on collision
            event_id            TEXT NOT NULL,
            time_ms             INTEGER NOT NULL,
            event_name          TEXT,
            event_source        TEXT,
            aws_region          TEXT,
            recipient_account   TEXT,
            identity_type       TEXT,
            identity_arn        TEXT,
            principal_id        TEXT,
            user_name           TEXT,
            source_ip           TEXT,
            error_code          TEXT,
            event_type          TEXT,
            event_category      TEXT,
            log_stream          TEXT,
            read_only           INTEGER,
            log                 TEXT NOT NULL,
            source_id           INTEGER,
            ingestion_ms        INTEGER NOT NULL,
            flags               INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX events_event_key ON events(event_key);

        -- The record exactly as read, keyed by events.id.
        CREATE TABLE event_json (
            id    INTEGER PRIMARY KEY,
            json  TEXT NOT NULL
        );

        CREATE TABLE rejects (
            id            INTEGER PRIMARY KEY,
            source_id     INTEGER,
            path          TEXT NOT NULL,
            file_key      TEXT NOT NULL,
            record_index  INTEGER,
            byte_offset   INTEGER,
            line          INTEGER,
            reason        TEXT NOT NULL,
            excerpt       BLOB,
            rejected_ms   INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX rejects_key ON rejects(file_key, ifnull(record_index, -1), ifnull(line, -1), ifnull(byte_offset, -1));

        CREATE TABLE ingest_runs (
            id            INTEGER PRIMARY KEY,
            started_ms    INTEGER NOT NULL,
            finished_ms   INTEGER,
            summary       TEXT
        );
        """,
        // 2: secondary indexes for time-range and per-name scans (built after the table exists
        // so a future bulk path can drop and rebuild them around a large load).
        """
        CREATE INDEX events_time ON events(time_ms);
        CREATE INDEX events_name_time ON events(event_name, time_ms);
        """,
        // 3: metric filters and the series they produce, as per-minute statistic sets from which
        // any period and statistic is derived (as CloudWatch does). Datapoints are kept per
        // filter so a backfill can replace exactly what one filter counted.
        """
        CREATE TABLE metric_filters (
            id             INTEGER PRIMARY KEY,
            name           TEXT NOT NULL UNIQUE,
            pattern        TEXT NOT NULL,
            namespace      TEXT NOT NULL,
            metric_name    TEXT NOT NULL,
            metric_value   TEXT NOT NULL,
            default_value  REAL,
            dimensions     TEXT NOT NULL,
            unit           TEXT,
            log            TEXT NOT NULL,
            created_ms     INTEGER NOT NULL,
            updated_ms     INTEGER NOT NULL
        );
        CREATE TABLE metrics (
            id          INTEGER PRIMARY KEY,
            namespace   TEXT NOT NULL,
            name        TEXT NOT NULL,
            dimensions  TEXT NOT NULL,
            unit        TEXT,
            UNIQUE (namespace, name, dimensions)
        );
        CREATE TABLE datapoints (
            metric_id     INTEGER NOT NULL,
            filter_id     INTEGER NOT NULL,
            minute_ms     INTEGER NOT NULL,
            sample_count  INTEGER NOT NULL,
            sum           REAL NOT NULL,
            minimum       REAL NOT NULL,
            maximum       REAL NOT NULL,
            PRIMARY KEY (metric_id, minute_ms, filter_id)
        ) WITHOUT ROWID;
        CREATE INDEX datapoints_filter ON datapoints(filter_id, minute_ms);
        -- Matches whose value could not be extracted: counted, never published as 0.
        CREATE TABLE filter_errors (
            filter_id  INTEGER NOT NULL,
            minute_ms  INTEGER NOT NULL,
            count      INTEGER NOT NULL,
            reason     TEXT NOT NULL,
            PRIMARY KEY (filter_id, minute_ms)
        ) WITHOUT ROWID;
        """,
        // 4: trained baselines, one per name. The metric identity, statistic and period say which
        // series a model describes; options, model and insufficient are JSON (sorted keys) of
        // Baselines' Codable types, so a model round-trips exactly and exports as it is stored.
        // `model` is NULL exactly when status is INSUFFICIENT_DATA, and `insufficient` says why.
        """
        CREATE TABLE models (
            id               INTEGER PRIMARY KEY,
            name             TEXT NOT NULL UNIQUE,
            namespace        TEXT NOT NULL,
            metric_name      TEXT NOT NULL,
            dimensions       TEXT NOT NULL,      -- canonical JSON, as in metrics.dimensions
            statistic        TEXT NOT NULL,
            period_ms        INTEGER NOT NULL,
            options          TEXT NOT NULL,      -- BaselineOptions
            status           TEXT NOT NULL CHECK (status IN ('trained', 'INSUFFICIENT_DATA')),
            model            TEXT,               -- BaselineModel: spec, coefficients, scale, transform, diagnostics
            insufficient     TEXT,               -- InsufficientData
            window_start_ms  INTEGER NOT NULL,   -- the series window training read, [start, end)
            window_end_ms    INTEGER NOT NULL,
            trained_at_ms    INTEGER NOT NULL,
            fit_ms           REAL NOT NULL,
            CHECK ((status = 'trained') = (model IS NOT NULL))
        );
        CREATE INDEX models_metric ON models(namespace, metric_name, dimensions);
        """,
        // 5: Insights saved queries, and a partial index that answers "any plain log events in
        // this range?" instantly (the planner pushes work to promoted columns only when not).
        """
        CREATE TABLE saved_queries (
            name        TEXT PRIMARY KEY,
            query       TEXT NOT NULL,
            created_ms  INTEGER NOT NULL,
            updated_ms  INTEGER NOT NULL
        );
        CREATE INDEX events_log_events ON events(time_ms) WHERE flags & 4 != 0;
        """,
        // 6: alarms (definition and persisted evaluation status as JSON of the Alarms module's
        // Codable types), their history, and small key/value state for `watch` (restart safety).
        """
        CREATE TABLE alarms (
            name        TEXT PRIMARY KEY,
            definition  TEXT NOT NULL,
            status      TEXT NOT NULL,
            created_ms  INTEGER NOT NULL,
            updated_ms  INTEGER NOT NULL
        );
        CREATE TABLE alarm_history (
            id          INTEGER PRIMARY KEY,
            alarm       TEXT NOT NULL,
            time_ms     INTEGER NOT NULL,
            kind        TEXT NOT NULL,
            summary     TEXT NOT NULL,
            item        TEXT NOT NULL
        );
        CREATE INDEX alarm_history_alarm ON alarm_history(alarm, time_ms);
        CREATE TABLE watch_state (
            key    TEXT PRIMARY KEY,
            value  TEXT NOT NULL
        );
        """,
        // 7: indexes for the questions asked most. Failed calls by name: errors are ~1% of events,
        // and without a partial index "which APIs fail" walks every row through the name index
        // (6 s on 2M events, 20 ms with it). Who calls from where: grouping by source IP and
        // principal scans the wide events table (5.3 s on 2M events); a covering index answers it
        // in 0.15 s for ~80 bytes per event and a slower ingest (measured in the Insights notes).
        """
        CREATE INDEX events_errors ON events(error_code, event_name) WHERE error_code IS NOT NULL;
        CREATE INDEX events_ip_arn ON events(source_ip, identity_arn);
        """,
    ]

    static var version: Int { migrations.count }

    /// The secondary indexes of `events` (as the migrations create them). A load into an empty
    /// table drops them and builds them once at the end: 2M events loaded in 18.2 s + 4.6 s of
    /// index builds instead of 28.5 s maintaining them row by row. The next load recreates any
    /// that a killed load left missing (queries meanwhile are slower, not wrong). Opening a store
    /// does not: a reader must not build indexes under a load in progress.
    static let deferrableIndexes: [(name: String, sql: String)] = [
        ("events_time", "CREATE INDEX IF NOT EXISTS events_time ON events(time_ms)"),
        ("events_name_time", "CREATE INDEX IF NOT EXISTS events_name_time ON events(event_name, time_ms)"),
        ("events_errors", "CREATE INDEX IF NOT EXISTS events_errors ON events(error_code, event_name) WHERE error_code IS NOT NULL"),
        ("events_ip_arn", "CREATE INDEX IF NOT EXISTS events_ip_arn ON events(source_ip, identity_arn)"),
    ]
}
