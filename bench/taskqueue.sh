#!/usr/bin/env bash
# Task-queue benchmark: no-op tasks through the C++ and Go worker plugins,
# host and plugin enqueue, idle enqueue-to-start latency, and the SQLite floor
# measured in the same run; then PostgreSQL with 1, 2 and 3 nodes next to its
# own floor and SQLite, and idle latency across nodes (see bench/taskqueue_bench.cc).
#
#   bench/taskqueue.sh                      # 20000 tasks
#   bench/taskqueue.sh --tasks 100000 --latency-samples 1000
#   bench/taskqueue.sh --pg-tasks 20000 --pg-concurrency 8
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" >/dev/null
# The PostgreSQL part runs against a private server with fsync on (durable,
# as SQLite's synchronous=FULL), started and stopped around the run.
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  PIER_PG_DURABLE=1 exec "$here/scripts/with-postgres.sh" "$PIER_BUILD_DIR/bench/pier_taskqueue_bench" "$@"
fi
exec "$PIER_BUILD_DIR/bench/pier_taskqueue_bench" "$@"
