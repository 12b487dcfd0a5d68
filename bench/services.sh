#!/usr/bin/env bash
# Host-service benchmark: KVStore, Cache, HTTP and WebSocket from a plugin next
# to the same service called natively, in the same run (bench/services_bench.cc).
#
#   bench/services.sh              # 2000 operations per row
#   bench/services.sh --ops 10000
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" >/dev/null
exec "$PIER_BUILD_DIR/bench/pier_services_bench" "$@"
