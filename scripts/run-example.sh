#!/usr/bin/env bash
# Pier's main job on its bundled examples: build everything, put the example
# packages in a plugins folder, enable them, and run `pier serve` — you see
# each plugin load, the heartbeat example's schedule enqueue a task every two
# seconds and its task store a count in the KVStore, and scrobble_counter
# count plays sent with `pier call` to the running server, and library_report
# read a small music library (tones made with sox) through the Library and
# Subsonic API services, with a cover served by the server. Ctrl-C stops it
# (PIER_SERVE_SECONDS=N stops it by itself after N seconds).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh"
pier="$PIER_BUILD_DIR/src/cli/pier"
demo="$PIER_BUILD_DIR/demo"
rm -rf "$demo" && mkdir -p "$demo/plugins"
cp "$PIER_BUILD_DIR"/packages/*.ndp "$demo/plugins/"
# A small music library: sox makes the tones, Vorbis comments carry the tags.
tone() {  # file seconds frequency title artist album track
  mkdir -p "$(dirname "$demo/music/$1")"
  sox -q -n --comment "TITLE=$4" --add-comment "ARTIST=$5" --add-comment "ALBUM=$6" --add-comment "TRACKNUMBER=$7" \
    "$demo/music/$1" synth "$2" sine "$3"
}
tone "Miles Davis/Kind of Blue/01 So What.flac" 3 440 "So What" "Miles Davis" "Kind of Blue" 1
tone "Miles Davis/Kind of Blue/02 Freddie Freeloader.flac" 2 494 "Freddie Freeloader" "Miles Davis" "Kind of Blue" 2
tone "John Coltrane/Blue Train/01 Blue Train.ogg" 2 523 "Blue Train" "John Coltrane" "Blue Train" 1
# A cover next to one album's tracks (a 200x200 PNG, written without image tools).
python3 - "$demo/music/Miles Davis/Kind of Blue/cover.png" <<'PY'
import struct, sys, zlib
w = h = 200
raw = b"".join(b"\x00" + bytes((30, 60, 140)) * w for _ in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
      chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
cat >"$demo/pier.toml" <<TOML
plugins_folder = "plugins"
data_folder = "data"

[[library]]
id = 1
name = "Demo music"
path = "music"

[[user]]
user_name = "ada"
name = "Ada"
is_admin = true
TOML
folders=(--config "$demo/pier.toml")
show() { echo; echo "\$ $*"; }

show "pier call hello.wasm greet --input '{\"name\":\"Ada\"}' --config greeting=Welcome"
"$pier" call "$PIER_BUILD_DIR/plugins/hello.wasm" greet --input '{"name":"Ada"}' --config greeting=Welcome
show "pier call go_test.wasm json_echo --input '{\"from\":\"a Go plugin\"}'   # Extism Go kit, Go wasip1"
"$pier" call "$PIER_BUILD_DIR/plugins/go_test.wasm" json_echo --input '{"from":"a Go plugin"}'
show "pier call c_hostile.wasm spin --timeout 500   # an infinite loop, contained"
"$pier" call "$PIER_BUILD_DIR/plugins/c_hostile.wasm" spin --timeout 500 || echo "(exit $?: trapped, as it should)"
show "pier inspect plugins/heartbeat.ndp"
"$pier" inspect "$demo/plugins/heartbeat.ndp" || true

show "pier library scan --config $demo/pier.toml"
"$pier" library scan "${folders[@]}"

show "pier plugins config hello --set '{\"greeting\":\"Welcome\"}' && pier plugins enable hello heartbeat scrobble_counter"
"$pier" plugins config hello --set '{"greeting":"Welcome"}' "${folders[@]}"
"$pier" plugins enable hello "${folders[@]}"
"$pier" plugins enable heartbeat "${folders[@]}"
"$pier" plugins config scrobble_counter --all-users "${folders[@]}"
"$pier" plugins enable scrobble_counter "${folders[@]}"
"$pier" plugins config library_report --set '{"user":"ada"}' --all-libraries --all-users "${folders[@]}"
"$pier" plugins enable library_report "${folders[@]}"

show "pier serve --config $demo/pier.toml   # Ctrl-C to stop"
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
show "pier call library_report.ndp report --data $demo/data   # Library + Subsonic API, acting for ada"
"$pier" call "$demo/plugins/library_report.ndp" report --data "$demo/data" || true; echo
album=$(sqlite3 "$demo/data/catalog.db" "SELECT id FROM albums WHERE name = 'Kind of Blue'" 2>/dev/null || true)
if [ -n "$album" ]; then
  show "pier call library_report.ndp cover --input '{\"album\":\"$album\",\"size\":64}' --data $demo/data"
  cover=$("$pier" call "$demo/plugins/library_report.ndp" cover --input "{\"album\":\"$album\",\"size\":64}" --data "$demo/data" || true)
  echo "$cover"
  url=$(echo "$cover" | sed -n 's/.*"url":"\([^"]*\)".*/\1/p')
  if [ -n "$url" ]; then
    show "curl $url   # the server answers its own artwork URLs"
    curl -s -o "$demo/cover-64.png" -w 'HTTP %{http_code}, %{content_type}, %{size_download} bytes\n' "$url" || true
  fi
fi
echo
wait "$serve"
