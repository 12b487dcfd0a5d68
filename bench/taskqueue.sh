#!/usr/bin/env bash
# Task-queue benchmark: no-op tasks through the C++ and Go worker plugins,
# host and plugin enqueue, idle enqueue-to-start latency, and the SQLite floor
# measured in the same run (see bench/taskqueue_bench.cc).
#
#   bench/taskqueue.sh                      # 20000 tasks
#   bench/taskqueue.sh --tasks 100000 --latency-samples 1000
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" >/dev/null
exec "$PIER_BUILD_DIR/bench/pier_taskqueue_bench" "$@"
