#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-19 (AddressSanitizer and
# UndefinedBehaviorSanitizer, coverage on Pier's own code) into
# build-address-undefined/ (the sanitizer suite's folder, see scripts/env.sh),
# then runs each for SECONDS (default 20), one per core at a time, from its seed corpus
# (fuzz/corpus/<target>). Exits non-zero when a target finds a crash; the
# crashing input is kept in build-address-undefined/crashes/.
#
#   scripts/fuzz.sh            # 20 s each
#   scripts/fuzz.sh 600        # ten minutes each
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-20}"
export PIER_SANITIZE=address,undefined
source "$here/scripts/env.sh"
targets=(cron json_schema manifest pier_toml subsonic_uri admin_route wire kernel_arena package extism_manifest)
PIER_BUILD_TARGETS="${targets[*]/%/_fuzz}" "$here/scripts/build.sh"
build="$PIER_BUILD_DIR"
mkdir -p "$build/crashes"
# One target per core at a time (libFuzzer runs each on one thread).
jobs="${PIER_FUZZ_JOBS:-$(nproc)}"
run_target() {
  local t="$1" work="$build/corpus/$1"
  mkdir -p "$work"
  if ! "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/crashes/$t-" "$work" "$here/fuzz/corpus/$t" >"$build/$t.log" 2>&1; then
    echo "fuzz: $t FAILED (see $build/$t.log and $build/crashes/)"
    tail -20 "$build/$t.log"
    return 1
  fi
  echo "fuzz: $t for ${seconds}s: $(grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$build/$t.log" | tail -1)"
}
failed=0
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit "$failed"
