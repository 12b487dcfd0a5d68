#!/usr/bin/env bash
# The crash harness, long: SIGKILLs `pier serve` ROUNDS times (default 50) at
# random moments while tasks are enqueued and run, then checks that every
# acknowledged task reached a final state and that no completed task ran
# again (tests/cli/pier_queue_test.cc, PierCrash.*: with retries, under both [taskqueue] durability
# settings, and with none and a witness of every execution).
#
#   bench/crash.sh            # 50 kills
#   bench/crash.sh 200
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" >/dev/null
PIER_CRASH_ROUNDS="${1:-50}" exec "$PIER_BUILD_DIR/tests/pier_cli_tests" \
  --gtest_filter='PierCrash.*'
