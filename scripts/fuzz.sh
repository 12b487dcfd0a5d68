#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-19 (AddressSanitizer and
# UndefinedBehaviorSanitizer, coverage on Pier's own code) into
# build-address-undefined/ (the sanitizer suite's folder, see scripts/env.sh),
# then runs each for SECONDS (default 20) from its seed corpus
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
failed=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work"
  echo "fuzz: $t for ${seconds}s"
  if ! "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/crashes/$t-" "$work" "$here/fuzz/corpus/$t" >"$build/$t.log" 2>&1; then
    echo "fuzz: $t FAILED (see $build/$t.log and $build/crashes/)"
    tail -20 "$build/$t.log"
    failed=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$build/$t.log" | tail -1 || true
  fi
done
exit "$failed"
