#!/usr/bin/env bash
# Detection evaluation across seeds (issue 5): the model vs a static threshold vs a Gaussian 2σ band
# on generated 28-day trails with the default incidents, then incident-free trails for quietness.
#
#   bash bench/eval.sh                  # seeds 1,2,3
#   SEEDS=1,2,3,4,5 bash bench/eval.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-1,2,3}
DAYS=${DAYS:-28}
swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)/trailwatch"
"$BIN" eval --generate --seeds "$SEEDS" --days "$DAYS"
"$BIN" eval --generate --seeds "$SEEDS" --days "$DAYS" --anomalies none
