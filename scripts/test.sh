#!/usr/bin/env bash
# Set up, build, and run the whole test suite (ctest), beside a private
# PostgreSQL server. Ends with a line "N passed, M failed, K skipped" and
# exits non-zero if anything failed.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
log="$PIER_BUILD_DIR/ctest.log"
# The PostgreSQL tests run against a private server started for this run
# (stopped at the end, also on failure); without one they report skips.
ctest_cmd="cd '$PIER_BUILD_DIR' && ctest -j $(nproc) --output-on-failure --timeout 300"
if [ "${PIER_NO_POSTGRES:-0}" != 1 ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  "$here/scripts/with-postgres.sh" bash -c "$ctest_cmd" 2>&1 | tee "$log"
else
  echo "test: no PostgreSQL server binaries; its tests will report skips"
  bash -c "$ctest_cmd" 2>&1 | tee "$log"
fi
rc=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
if [ -z "$summary" ]; then
  echo "no test summary found"; echo "0 passed, 1 failed"; exit 1
fi
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
skipped=$(grep -cE '^\s*[0-9]+ - .*\(Skipped\)$' "$log" || true)
echo "$((total - failed - skipped)) passed, ${failed} failed, ${skipped} skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
