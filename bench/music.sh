#!/usr/bin/env bash
# Music host benchmark: scan rate next to bare TagLib, subsonicapi_call from a
# plugin next to the router called natively (bench/music_bench.cc).
#
#   bench/music.sh                        # 300 files, 2000 calls
#   bench/music.sh --files 1000 --calls 5000
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
"$here/scripts/build.sh" >/dev/null
exec "$PIER_BUILD_DIR/bench/pier_music_bench" "$@"
