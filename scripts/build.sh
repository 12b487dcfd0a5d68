#!/usr/bin/env bash
# Set up (idempotent) and build Pier, its plugins and its tests into $PIER_BUILD_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/setup.sh"
cmake -S "$here" -B "$PIER_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${PIER_CMAKE_ARGS:-} >/dev/null
cmake --build "$PIER_BUILD_DIR" -j "$(nproc)"
