#!/usr/bin/env bash
# Builds and runs the runtime benchmarks, then prints each figure as a ratio
# to a baseline measured in the same run (these machines are noisy).
#
#   bench/run.sh                 # all
#   bench/run.sh --benchmark_filter=JsonEcho
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" >/dev/null
out="$PIER_BUILD_DIR/bench-runtime.json"
"$PIER_BUILD_DIR/bench/pier_runtime_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out" --benchmark_out_format=json "$@"
python3 "$here/bench/ratios.py" "$out"
