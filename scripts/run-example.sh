#!/usr/bin/env bash
# Pier's main job on its bundled examples: build everything, put the example
# packages in a plugins folder, enable them, and run `pier serve` — you see
# each plugin load, the heartbeat example's schedule enqueue a task every two
# seconds and its task store a count in the KVStore, and scrobble_counter
# count plays sent with `pier call` to the running server. Ctrl-C stops it
# (PIER_SERVE_SECONDS=N stops it by itself after N seconds).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh"
pier="$PIER_BUILD_DIR/src/cli/pier"
demo="$PIER_BUILD_DIR/demo"
rm -rf "$demo" && mkdir -p "$demo/plugins"
cp "$PIER_BUILD_DIR"/packages/*.ndp "$demo/plugins/"
folders=(--plugins "$demo/plugins" --data "$demo/data")
show() { echo; echo "\$ $*"; }

show "pier call hello.wasm greet --input '{\"name\":\"Ada\"}' --config greeting=Welcome"
"$pier" call "$PIER_BUILD_DIR/plugins/hello.wasm" greet --input '{"name":"Ada"}' --config greeting=Welcome
show "pier call go_test.wasm json_echo --input '{\"from\":\"a Go plugin\"}'   # Extism Go kit, Go wasip1"
"$pier" call "$PIER_BUILD_DIR/plugins/go_test.wasm" json_echo --input '{"from":"a Go plugin"}'
show "pier call c_hostile.wasm spin --timeout 500   # an infinite loop, contained"
"$pier" call "$PIER_BUILD_DIR/plugins/c_hostile.wasm" spin --timeout 500 || echo "(exit $?: trapped, as it should)"
show "pier inspect plugins/heartbeat.ndp"
"$pier" inspect "$demo/plugins/heartbeat.ndp" || true

show "pier plugins config hello --set '{\"greeting\":\"Welcome\"}' && pier plugins enable hello heartbeat scrobble_counter"
"$pier" plugins config hello --set '{"greeting":"Welcome"}' "${folders[@]}"
"$pier" plugins enable hello "${folders[@]}"
"$pier" plugins enable heartbeat "${folders[@]}"
"$pier" plugins config scrobble_counter --all-users "${folders[@]}"
"$pier" plugins enable scrobble_counter "${folders[@]}"

show "pier serve --plugins $demo/plugins --data $demo/data   # Ctrl-C to stop"
run_for=()
[ -n "${PIER_SERVE_SECONDS:-}" ] && run_for=(--run-for "$PIER_SERVE_SECONDS")
"$pier" serve "${folders[@]}" "${run_for[@]}" &
serve=$!
trap 'kill -INT "$serve" 2>/dev/null || true; wait "$serve" || true; exit 0' INT TERM
for _ in $(seq 200); do [ -f "$demo/data/pier.admin" ] && break; sleep 0.05; done

# Scrobbles sent to the running server's scrobble_counter (KVStore counts, Cache now-playing).
track='{"id":"t1","title":"So What","album":"Kind of Blue","artist":"Miles Davis","artists":[],"albumArtists":[]}'
sleep 1
for n in 1 2 3; do
  show "pier call scrobble_counter.ndp nd_scrobbler_scrobble --data $demo/data --input '{\"username\":\"ada\",...}'"
  "$pier" call "$demo/plugins/scrobble_counter.ndp" nd_scrobbler_scrobble --data "$demo/data" \
    --input "{\"username\":\"ada\",\"track\":$track,\"timestamp\":$(date +%s)}" && echo "(scrobble $n counted)" || true
done
show "pier call scrobble_counter.ndp plays --input ada --data $demo/data"
"$pier" call "$demo/plugins/scrobble_counter.ndp" plays --input ada --data "$demo/data" || true; echo
sleep 3
show "pier call heartbeat.ndp status --data $demo/data"
"$pier" call "$demo/plugins/heartbeat.ndp" status --data "$demo/data" || true; echo
show "pier queue stats heartbeat beats --data $demo/data"
"$pier" queue stats heartbeat beats --data "$demo/data" || true
echo
wait "$serve"
