"""Peer measurement: load the same CloudTrail files into DuckDB (one row per record).

Usage: python3 bench/duckdb_load.py DIR
Prints one JSON object: records, seconds, peak RSS (MB).
"""
import json
import resource
import sys
import time

import duckdb


def load_records(con, root):
    """Creates table `events` with one JSON column `r` per CloudTrail record under ROOT."""
    con.execute(f"""
        CREATE TABLE events AS
        SELECT unnest(Records) AS r
        FROM read_json('{root}/**/*.json.gz', columns = {{'Records': 'JSON[]'}}, format = 'auto',
                       maximum_object_size = 67108864)
    """)


def connect():
    con = duckdb.connect()  # in-memory: the cheapest DuckDB can do
    con.execute("SET threads = 2")
    return con


if __name__ == "__main__":
    con = connect()
    start = time.perf_counter()
    load_records(con, sys.argv[1])
    con.execute("""
        CREATE TABLE flat AS SELECT
            r->>'eventID' AS event_id, CAST(r->>'eventTime' AS TIMESTAMP) AS event_time,
            r->>'eventName' AS event_name, r->>'eventSource' AS event_source, r->>'awsRegion' AS region,
            r->>'$.userIdentity.arn' AS arn, r->>'errorCode' AS error_code, r AS record
        FROM events
    """)
    seconds = time.perf_counter() - start
    n = con.execute("SELECT count(*) FROM flat").fetchone()[0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": n, "seconds": round(seconds, 3), "peakRSSMB": round(rss, 1)}))
