#!/usr/bin/env bash
# Set up (idempotent) and build Pier, its plugins and its tests into $PIER_BUILD_DIR
# (build/, or build-<sanitizers>/ with PIER_SANITIZE; see scripts/env.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/setup.sh"
# The gcc tree is optimised as a release (-O2) with line tables (-g1): enough
# for backtraces and failure reports, and it compiles in about two thirds of
# the time full debug info (-g) takes. (Sanitizer trees set their own flags.)
flags=()
[ -z "${PIER_SANITIZE:-}" ] && flags=("-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
                                      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
cmake -S "$here" -B "$PIER_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" \
  $PIER_SANITIZE_CMAKE_ARGS ${PIER_CMAKE_ARGS:-} >/dev/null
# PIER_BUILD_TARGETS (space-separated) builds only those targets and what they need.
read -r -a targets <<<"${PIER_BUILD_TARGETS:-}"
cmake --build "$PIER_BUILD_DIR" -j "$(nproc)" ${targets[@]:+--target "${targets[@]}"}
