#!/usr/bin/env bash
# Pier's main job on its bundled examples: build everything, put the example
# packages in a plugins folder, enable them, and run `pier serve` — you see
# each plugin load and say hello. Ctrl-C stops it (PIER_SERVE_SECONDS=N stops
# it by itself after N seconds). Then a few `pier call`s show single calls.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh"
pier="$PIER_BUILD_DIR/src/cli/pier"
demo="$PIER_BUILD_DIR/demo"
rm -rf "$demo" && mkdir -p "$demo/plugins"
cp "$PIER_BUILD_DIR"/packages/*.ndp "$demo/plugins/"
folders=(--plugins "$demo/plugins" --data "$demo/data")

echo
echo "\$ pier call hello.wasm greet --input '{\"name\":\"Ada\"}' --config greeting=Welcome"
"$pier" call "$PIER_BUILD_DIR/plugins/hello.wasm" greet --input '{"name":"Ada"}' --config greeting=Welcome --log-level warn
echo
echo "\$ pier call go_test.wasm json_echo --input '{\"from\":\"a Go plugin\"}'   # Extism Go kit, Go wasip1"
"$pier" call "$PIER_BUILD_DIR/plugins/go_test.wasm" json_echo --input '{"from":"a Go plugin"}'
echo
echo "\$ pier call c_hostile.wasm spin --timeout 500   # an infinite loop, contained"
"$pier" call "$PIER_BUILD_DIR/plugins/c_hostile.wasm" spin --timeout 500 || echo "(exit $?: trapped, as it should)"
echo
echo "\$ pier inspect plugins/scrobble_counter.ndp"
"$pier" inspect "$demo/plugins/scrobble_counter.ndp" || true
echo
echo "\$ pier plugins config hello --set '{\"greeting\":\"Welcome\"}' && pier plugins enable hello"
"$pier" plugins config hello --set '{"greeting":"Welcome"}' "${folders[@]}"
"$pier" plugins enable hello "${folders[@]}"
"$pier" plugins config scrobble_counter --all-users "${folders[@]}"
"$pier" plugins enable scrobble_counter "${folders[@]}" || echo "(scrobble_counter needs the KVStore and Cache services, which come with later issues)"
echo
echo "\$ pier serve --plugins $demo/plugins --data $demo/data   # Ctrl-C to stop"
run_for=()
[ -n "${PIER_SERVE_SECONDS:-}" ] && run_for=(--run-for "$PIER_SERVE_SECONDS")
exec "$pier" serve "${folders[@]}" "${run_for[@]}"
