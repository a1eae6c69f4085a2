#!/usr/bin/env bash
# Filter-pattern matching speed (reproducible): the bundled sample's records as NDJSON, the
# FilterPatterns module built in release, and a small benchmark binary linked against it.
#
#   bash bench/filters.sh            # best of 5 runs
#   RUNS=9 bash bench/filters.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OUT=${OUT:-/tmp/trailwatch-filter-bench}
SPECS=${SPECS:-../shared/specs}
mkdir -p "$OUT"

if [ ! -s "$OUT/records.ndjson" ]; then
    python3 - notebooks-data/sample >"$OUT/records.ndjson" <<'PY'
import gzip, json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.json.gz")):
    with gzip.open(path, "rt") as f:
        for record in json.load(f)["Records"]:
            print(json.dumps(record, separators=(",", ":")))
PY
fi

swift build -c release --target FilterPatterns >/dev/null
BIN_PATH="$(swift build -c release --show-bin-path)"
swiftc -O -wmo -parse-as-library -I "$BIN_PATH/Modules" \
    bench/filter-patterns/main.swift "$BIN_PATH"/FilterPatterns.build/*.o "$BIN_PATH"/TrailJSON.build/*.o \
    -o "$OUT/filter-bench"
"$OUT/filter-bench" "$OUT/records.ndjson" "$SPECS/cis-metric-filters.json" "$RUNS"
