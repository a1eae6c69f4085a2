#!/usr/bin/env bash
# Baseline training benchmark (issue 5): train SERIES synthetic 14-day 5-minute series (4,032 points
# each; half Poisson counts, half gauges) with the release build, report series/s, ms per model and
# the time to score one 14-day series online; then time statsmodels' robust STL and Tukey RLM (same
# design) on SAMPLE of the same series in the same run and print the ratios.
#
#   bash bench/baselines.sh                  # 1,000 series, statsmodels on 5
#   SERIES=200 SAMPLE=3 bash bench/baselines.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${SERIES:-1000}
SAMPLE=${SAMPLE:-5}
OUT=${OUT:-/tmp/trailwatch-bench-baselines}

swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)/trailwatch"
rm -rf "$OUT" && mkdir -p "$OUT"

"$BIN" models score --bench "$SERIES" --bench-export "$OUT/series" --bench-export-count "$SAMPLE" --json | tee "$OUT/trailwatch.json"
"$BIN" models score --bench "$SERIES"
# The CSV path end to end on one exported series, online (parse, 14 daily retrains, write).
/usr/bin/time -f "models score --csv --online, one 14-day series: %e s" \
    "$BIN" models score --csv "$OUT/series/series-0.csv" --out "$OUT/scored-0.csv" --online 2>&1 | tail -1

if ! python3 -c "import statsmodels" 2>/dev/null; then
    pip install -q statsmodels || { echo "statsmodels unavailable (no pip or network): trailwatch numbers only"; exit 0; }
fi
python3 bench/statsmodels_baseline.py "$OUT"/series/series-*.csv | tee "$OUT/statsmodels.json"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
tw = json.load(open(f"{out}/trailwatch.json"))
sm = json.load(open(f"{out}/statsmodels.json"))
ms = tw["msPerModelMedian"] / 1000
print(f"trailwatch: {tw['seriesPerSecond']:.0f} series/s on {tw['cores']} cores "
      f"({tw['serialSeriesPerSecond']:.0f}/s on one), {tw['msPerModelMedian']:.2f} ms per model (median)")
print(f"statsmodels STL(period=288, robust=True): {sm['stlSecondsPerSeries'] * 1000:.0f} ms per series "
      f"-> {sm['stlSecondsPerSeries'] / ms:.0f}x slower than one trailwatch model")
print(f"statsmodels RLM(TukeyBiweight), same design: {sm['rlmSecondsPerSeries'] * 1000:.0f} ms per series "
      f"-> {sm['rlmSecondsPerSeries'] / ms:.0f}x slower")
PY
