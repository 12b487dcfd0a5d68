#!/usr/bin/env bash
# Pier's main job on its bundled example: build everything, then call the
# example plugin (examples/hello) the way a user would, with `pier call`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh"
pier="$PIER_BUILD_DIR/src/cli/pier"
hello="$PIER_BUILD_DIR/plugins/hello.wasm"

echo
echo "\$ pier call hello.wasm greet --input '{\"name\":\"Ada\"}' --config greeting=Welcome"
"$pier" call "$hello" greet --input '{"name":"Ada"}' --config greeting=Welcome
echo
echo "\$ pier call hello.wasm word_stats --input-file README.md"
"$pier" call "$hello" word_stats --input-file "$here/README.md"
echo
echo "\$ pier call go_test.wasm json_echo --input '{\"from\":\"a Go plugin\"}'   # Extism Go kit, Go 1.26 wasip1"
"$pier" call "$PIER_BUILD_DIR/plugins/go_test.wasm" json_echo --input '{"from":"a Go plugin"}'
echo
echo "\$ pier call c_hostile.wasm spin --timeout 500   # an infinite loop, contained"
"$pier" call "$PIER_BUILD_DIR/plugins/c_hostile.wasm" spin --timeout 500 || echo "(exit $?: trapped, as it should)"
