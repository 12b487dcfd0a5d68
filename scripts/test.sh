#!/usr/bin/env bash
# Set up, build, and run the whole test suite (ctest). Ends with a line
# "N passed, M failed" and exits non-zero if anything failed.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
log="$PIER_BUILD_DIR/ctest.log"
( cd "$PIER_BUILD_DIR" && ctest -j "$(nproc)" --output-on-failure --timeout 300 ) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
if [ -z "$summary" ]; then
  echo "no test summary found"; echo "0 passed, 1 failed"; exit 1
fi
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
echo "$((total - failed)) passed, ${failed} failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
