#!/usr/bin/env bash
# Ingest benchmark (reproducible): generate a trail of EVENTS events, ingest it with trailwatch
# into a fresh database RUNS times, load the same files into DuckDB RUNS times, report medians and
# the ratio, then the JSON parser and field-access micro-benchmarks on the same data.
#
#   bash bench/ingest.sh                    # 1M events, 3 runs each
#   EVENTS=200000 RUNS=1 bash bench/ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-1000000}
DAYS=${DAYS:-10}
RUNS=${RUNS:-3}
OUT=${OUT:-/tmp/trailwatch-bench}

swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)/trailwatch"
python3 -c "import duckdb" 2>/dev/null || pip install -q duckdb

mkdir -p "$OUT"
if [ ! -f "$OUT/trail/.events-$EVENTS" ]; then
    rm -rf "$OUT/trail"
    "$BIN" generate --out "$OUT/trail" --days "$DAYS" --events-per-day $((EVENTS / DAYS)) --seed 7 --anomalies none
    touch "$OUT/trail/.events-$EVENTS"
fi

for i in $(seq 1 "$RUNS"); do
    rm -f "$OUT"/tw.db*
    /usr/bin/time -v "$BIN" ingest "$OUT/trail" --db "$OUT/tw.db" --json >"$OUT/tw-$i.json" 2>"$OUT/tw-$i.time"
    ls -l "$OUT"/tw.db* | awk '{s+=$5} END {print s}' >"$OUT/tw-$i.size"
    /usr/bin/time -v python3 bench/duckdb_load.py "$OUT/trail" >"$OUT/duck-$i.json" 2>"$OUT/duck-$i.time"
done

python3 - "$OUT" "$RUNS" <<'PY'
import json, re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def rss(path):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read()).group(1)) / 1024
tw = [json.load(open(f"{out}/tw-{i}.json")) for i in range(1, runs + 1)]
duck = [json.load(open(f"{out}/duck-{i}.json")) for i in range(1, runs + 1)]
t = statistics.median(r["seconds"] for r in tw)
d = statistics.median(r["seconds"] for r in duck)
n = tw[0]["records"]
size = statistics.median(int(open(f"{out}/tw-{i}.size").read()) for i in range(1, runs + 1))
print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
print(f"records: {n:,} (DuckDB rows: {duck[0]['records']:,}); {runs} run(s), medians")
print(f"trailwatch ingest: {t:.2f} s  {n / t:,.0f} events/s  {tw[0]['compressedBytes'] / t / 1e6:.1f} MB/s gz  "
      f"{tw[0]['decodedBytes'] / t / 1e6:.1f} MB/s JSON  peak RSS {max(rss(f'{out}/tw-{i}.time') for i in range(1, runs + 1)):.0f} MB  "
      f"{size / n:.0f} B/event on disk")
print(f"DuckDB load:       {d:.2f} s  {n / d:,.0f} events/s  peak RSS {max(rss(f'{out}/duck-{i}.time') for i in range(1, runs + 1)):.0f} MB")
print(f"ratio: trailwatch is {d / t:.2f}x DuckDB")
PY

# Metric filters: the 15 CIS filters counted at ingest (applied first), against the plain ingest above.
for i in $(seq 1 "$RUNS"); do
    rm -f "$OUT"/cis.db*
    "$BIN" apply models/cis-aws-foundations.yaml --db "$OUT/cis.db" >/dev/null
    "$BIN" ingest "$OUT/trail" --db "$OUT/cis.db" --json >"$OUT/cis-$i.json"
done
python3 - "$OUT" "$RUNS" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
plain = statistics.median(json.load(open(f"{out}/tw-{i}.json"))["seconds"] for i in range(1, runs + 1))
cis = statistics.median(json.load(open(f"{out}/cis-{i}.json"))["seconds"] for i in range(1, runs + 1))
print(f"ingest with the 15 CIS filters: {cis:.2f} s vs {plain:.2f} s plain: +{(cis / plain - 1) * 100:.0f} %")
PY
"$BIN" bench filters "$OUT/trail" --max-records 200000

"$BIN" bench json "$OUT/trail" --max-records 100000
"$BIN" bench fields --db "$OUT/tw.db"
