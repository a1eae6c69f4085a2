"""Peer measurement for Insights: load the same CloudTrail files into DuckDB, then time the
benchmark queries Q1-Q5 written in DuckDB SQL (median of RUNS runs each).

Usage: python3 bench/duckdb_queries.py DIR INSTANCE_ID [RUNS]
Prints one JSON object: load seconds, per-query medians and row counts.
"""
import json
import statistics
import sys
import time

from duckdb_load import connect, load_records  # same directory: the ingest benchmark's loader

root, instance = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
con = connect()
start = time.perf_counter()
load_records(con, root)
con.execute("""
    CREATE TABLE flat AS SELECT
        CAST(r->>'eventTime' AS TIMESTAMP) AS event_time,
        r->>'eventName' AS event_name, r->>'sourceIPAddress' AS source_ip,
        r->>'$.userIdentity.arn' AS arn, r->>'errorCode' AS error_code, r AS record
    FROM events
""")
con.execute("DROP TABLE events")
load = time.perf_counter() - start

queries = {
    "Q1": "SELECT time_bucket(INTERVAL 5 MINUTE, event_time) AS t, count(*) FROM flat WHERE event_name = 'StopInstances' GROUP BY 1",
    "Q2": "SELECT event_name, count(*) AS n FROM flat WHERE error_code IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 10",
    "Q3": "SELECT source_ip, arn, count(*) AS n FROM flat GROUP BY 1, 2 ORDER BY n DESC LIMIT 20",
    "Q4": "SELECT event_time, source_ip FROM flat WHERE event_name = 'ConsoleLogin' AND record->>'$.responseElements.ConsoleLogin' = 'Failure'",
    "Q5": f"SELECT event_time, event_name FROM flat WHERE record->>'$.requestParameters.instancesSet.items[0].instanceId' = '{instance}'",
}
first = time.perf_counter()
con.execute(queries["Q1"]).fetchall()
first_answer = load + (time.perf_counter() - first)
result = {"load": round(load, 3), "firstAnswer": round(first_answer, 3), "queries": {}}
for name, sql in queries.items():
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
    result["queries"][name] = {"seconds": round(statistics.median(times), 4), "rows": len(rows)}
print(json.dumps(result))
