#!/usr/bin/env bash
# Insights benchmark (reproducible): generate EVENTS events, ingest them with trailwatch and load
# them into DuckDB, then time Q1-Q5 (issue 4) on both, medians of RUNS runs, in the same run.
# "First answer" is ingest/load plus Q1.
#
#   bash bench/insights.sh                  # 2M events
#   EVENTS=200000 RUNS=3 bash bench/insights.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-2000000}
DAYS=${DAYS:-14}
RUNS=${RUNS:-5}
OUT=${OUT:-/tmp/trailwatch-bench-insights}

swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)/trailwatch"
python3 -c "import duckdb" 2>/dev/null || pip install -q duckdb

mkdir -p "$OUT"
if [ ! -f "$OUT/trail/.events-$EVENTS" ]; then
    rm -rf "$OUT/trail"
    "$BIN" generate --out "$OUT/trail" --days "$DAYS" --events-per-day $((EVENTS / DAYS)) --seed 11 --anomalies default
    touch "$OUT/trail/.events-$EVENTS"
fi

rm -f "$OUT"/tw.db*
start=$(date +%s.%N)
"$BIN" ingest "$OUT/trail" --db "$OUT/tw.db" --quiet
"$BIN" query 'filter eventName="StopInstances" | stats count(*) by bin(5m)' --db "$OUT/tw.db" --format json >/dev/null
end=$(date +%s.%N)
TW_FIRST=$(python3 -c "print(round($end - $start, 3))")

# A real instance id from the data for Q5 (a deep, non-promoted field).
INSTANCE=$("$BIN" query 'filter eventName="StopInstances" | fields requestParameters.instancesSet.items.0.instanceId as i | limit 1' \
    --db "$OUT/tw.db" --format csv | tail -1)

# In-process timings (parse + plan + run, median of RUNS), as DuckDB's are measured in-process;
# plus one whole CLI invocation per query (process start and database open included).
"$BIN" bench insights --db "$OUT/tw.db" --runs "$RUNS" \
    --query 'Q1=filter eventName="StopInstances" | stats count(*) by bin(5m)' \
    --query 'Q2=filter ispresent(errorCode) | stats count(*) as n by eventName | sort n desc | limit 10' \
    --query 'Q3=stats count(*) as n by sourceIPAddress, userIdentity.arn | sort n desc | limit 20' \
    --query 'Q4=filter eventName="ConsoleLogin" and responseElements.ConsoleLogin="Failure" | fields @timestamp, sourceIPAddress' \
    --query "Q5=filter requestParameters.instancesSet.items.0.instanceId=\"$INSTANCE\" | fields @timestamp, eventName" \
    >"$OUT/tw-inprocess.json"
python3 - "$BIN" "$OUT/tw.db" "$INSTANCE" "$TW_FIRST" "$OUT/tw-inprocess.json" >"$OUT/tw.json" <<'PY'
import json, subprocess, sys, time
bin_, db, instance, first, inprocess = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), json.load(open(sys.argv[5]))
queries = {
    "Q1": 'filter eventName="StopInstances" | stats count(*) by bin(5m)',
    "Q2": 'filter ispresent(errorCode) | stats count(*) as n by eventName | sort n desc | limit 10',
    "Q3": 'stats count(*) as n by sourceIPAddress, userIdentity.arn | sort n desc | limit 20',
    "Q4": 'filter eventName="ConsoleLogin" and responseElements.ConsoleLogin="Failure" | fields @timestamp, sourceIPAddress',
    "Q5": f'filter requestParameters.instancesSet.items.0.instanceId="{instance}" | fields @timestamp, eventName',
}
out = {"firstAnswer": first, "queries": {}}
for name, q in queries.items():
    t = time.perf_counter()
    subprocess.run([bin_, "query", q, "--db", db, "--format", "json"], check=True, capture_output=True)
    cli = time.perf_counter() - t
    out["queries"][name] = {"seconds": inprocess[name]["seconds"], "rows": int(inprocess[name]["rows"]), "cli": round(cli, 4)}
print(json.dumps(out))
PY
python3 bench/duckdb_queries.py "$OUT/trail" "$INSTANCE" "$RUNS" >"$OUT/duck.json"

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
tw, duck = json.load(open(f"{out}/tw.json")), json.load(open(f"{out}/duck.json"))
print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
print(f"{'query':5} {'trailwatch':>11} {'DuckDB':>9} {'ratio':>7}  {'tw CLI':>8}  rows (tw/duck)")
for q in ["Q1", "Q2", "Q3", "Q4", "Q5"]:
    t, d = tw["queries"][q], duck["queries"][q]
    print(f"{q:5} {t['seconds']:>10.4f}s {d['seconds']:>8.4f}s {t['seconds'] / d['seconds']:>6.2f}x  {t['cli']:>7.3f}s  {t['rows']}/{d['rows']}")
print(f"first answer (ingest/load + Q1): trailwatch {tw['firstAnswer']:.2f} s, DuckDB {duck['firstAnswer']:.2f} s "
      f"-> trailwatch {duck['firstAnswer'] / tw['firstAnswer']:.2f}x faster")
PY
