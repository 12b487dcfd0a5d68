#!/usr/bin/env bash
# Set up, build, and run the whole test suite (ctest), beside a private
# PostgreSQL server. Ends with a line "N passed, M failed, K skipped" and
# exits non-zero if anything failed.
#
#   scripts/test.sh                                  # gcc, build/
#   PIER_SANITIZE=address,undefined scripts/test.sh  # clang + ASan + UBSan, build-address-undefined/
#   PIER_SANITIZE=thread PIER_TEST_LABELS='unit|runtime|manager|taskqueue' \
#     PIER_BUILD_TARGETS='pier_unit_tests pier_runtime_tests pier_manager_tests pier_taskqueue_tests' \
#     scripts/test.sh                                # clang + TSan, those suites only
#
# PIER_TEST_LABELS is a ctest label regex (unit, runtime, cli, roundtrip,
# examples, manager, taskqueue, scheduler, services, music, dashboard).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
log="$PIER_BUILD_DIR/ctest.log"
# Sanitizer reports fail the test that triggers them; suppressions (only for
# what is proven to be outside Pier) live in tests/sanitizers/, each with its reason.
supp="$here/tests/sanitizers"
# Reports name functions and lines only with a symbolizer (llvm-19, installed
# by setup.sh in sanitizer mode).
sym=""
for s in llvm-symbolizer-19 llvm-symbolizer; do
  command -v "$s" >/dev/null && { sym=":external_symbolizer_path=$(command -v "$s")"; break; }
done
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=0:suppressions=$supp/asan.supp$sym}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp$sym}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp:print_suppressions=0$sym}"
labels=""
[ -n "${PIER_TEST_LABELS:-}" ] && labels="-L '${PIER_TEST_LABELS}'"
# The PostgreSQL tests run against a private server started for this run
# (stopped at the end, also on failure); without one they report skips.
ctest_cmd="cd '$PIER_BUILD_DIR' && ctest -j $(nproc) --output-on-failure --timeout 300 $labels"
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
