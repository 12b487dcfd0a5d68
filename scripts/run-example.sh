#!/usr/bin/env bash
# Pier's main job on its bundled examples: build everything, put the example
# packages in a plugins folder, enable them, and run `pier serve` — you see
# each plugin load, the heartbeat example's schedule enqueue a task every two
# seconds and its task store a count in the KVStore, scrobble_counter count
# plays sent with `pier play` (one of them kept across a restart while its
# service was "down"), liner_notes answer `pier agent`, and library_report
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

[agents]
order = ["liner_notes"]

[scrobbling]
retry_backoff = "1s"
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
"$pier" plugins config liner_notes --set '{"user":"ada"}' --all-users "${folders[@]}"
"$pier" plugins enable liner_notes "${folders[@]}"

# A scrobble made while the scrobbler's service is down waits in Pier's retry
# buffer (data/plays.db) across a restart, and is delivered afterwards.
show "pier plugins config scrobble_counter --set '{\"offline\":\"true\"}'; pier serve (briefly); pier play ada \"So What\""
"$pier" plugins config scrobble_counter --set '{"offline":"true"}' "${folders[@]}"
"$pier" serve "${folders[@]}" --log-level warn --run-for 4 &
brief=$!
for _ in $(seq 200); do [ -f "$demo/data/pier.admin" ] && break; sleep 0.05; done
sleep 0.5
"$pier" play ada "So What" "${folders[@]}" || true
wait "$brief" || true
show "pier plugins config scrobble_counter --set '{}'   # the service is back"
"$pier" plugins config scrobble_counter --set '{}' "${folders[@]}"

show "pier serve --config $demo/pier.toml   # Ctrl-C to stop"
run_for=()
[ -n "${PIER_SERVE_SECONDS:-}" ] && run_for=(--run-for "$PIER_SERVE_SECONDS")
"$pier" serve "${folders[@]}" "${run_for[@]}" &
serve=$!
trap 'kill -INT "$serve" 2>/dev/null || true; wait "$serve" || true; exit 0' INT TERM
for _ in $(seq 200); do [ -f "$demo/data/pier.admin" ] && break; sleep 0.05; done

# Plays through the running server's Scrobbler plugins (scrobble_counter:
# KVStore counts, Cache now-playing); the buffered one arrives on its own.
sleep 2
for song in "Freddie Freeloader" "Blue Train"; do
  show "pier play ada \"$song\" --config $demo/pier.toml"
  "$pier" play ada "$song" "${folders[@]}" || true
done
# Wait (10 s at most) for the retry loop to deliver the scrobble that waited.
admin=$(sed -n 1p "$demo/data/pier.admin")
auth="Authorization: Bearer $(sed -n 2p "$demo/data/pier.admin")"   # the admin API's token
for _ in $(seq 100); do [ "$(curl -s -H "$auth" "$admin/api/music/buffer")" = "[]" ] && break; sleep 0.1; done
show "pier call scrobble_counter.ndp plays --input ada --data $demo/data   # 3: two plays now, and the one that waited"
"$pier" call "$demo/plugins/scrobble_counter.ndp" plays --input ada --data "$demo/data" || true; echo
show "pier scrobbles ada --config $demo/pier.toml   # the host's play history"
"$pier" scrobbles ada "${folders[@]}" || true
show "pier agent artist-biography \"Miles Davis\" --config $demo/pier.toml   # liner_notes answers from the library"
"$pier" agent artist-biography "Miles Davis" "${folders[@]}" || true
show "pier agent album-info \"Blue Train\" --artist \"John Coltrane\" --config $demo/pier.toml"
"$pier" agent album-info "Blue Train" --artist "John Coltrane" "${folders[@]}" || true
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
