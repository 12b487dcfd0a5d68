#!/usr/bin/env bash
# Builds Wasmtime's C API (third_party/wasmtime, --locked) and publishes the
# archive and headers to a stable folder that CMake reads:
#   $PIER_CACHE_DIR/wasmtime/{lib/libpier_wasmtime.a,include/}
# PIER_CACHE_DIR defaults to ~/.cache/pier; the cargo target directory lives
# there too, outside the clone, so a rebuild after a fresh clone is a no-op.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${PIER_CACHE_DIR:-$HOME/.cache/pier}"
export CARGO_TARGET_DIR="$cache/cargo-target"
out="$cache/wasmtime"
mkdir -p "$cache"

command -v cargo >/dev/null || { echo "build-wasmtime: cargo not found (install Rust 1.95)" >&2; exit 1; }

json="$cache/wasmtime-build.json"
echo "build-wasmtime: cargo build --release --locked (target dir $CARGO_TARGET_DIR)"
cargo build --release --locked --manifest-path "$here/third_party/wasmtime/Cargo.toml" \
  --message-format=json-render-diagnostics > "$json"

# The C API's build script installs its headers (with a generated conf.h that
# matches the enabled features) into its OUT_DIR; find that from cargo's messages.
include_dir="$(python3 - "$json" <<'PY'
import json, sys
found = ""
for line in open(sys.argv[1]):
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if msg.get("reason") == "build-script-executed" and "wasmtime-c-api-impl" in msg.get("package_id", ""):
        found = msg["out_dir"] + "/include"
print(found)
PY
)"
[ -n "$include_dir" ] && [ -f "$include_dir/wasmtime.hh" ] || { echo "build-wasmtime: C API headers not found in cargo output" >&2; exit 1; }

lib="$CARGO_TARGET_DIR/release/libpier_wasmtime.a"
[ -f "$lib" ] || { echo "build-wasmtime: $lib missing after build" >&2; exit 1; }

mkdir -p "$out/lib"
# Copied only when they changed: new timestamps would make every target that
# includes them rebuild.
if ! diff -rq "$include_dir" "$out/include" >/dev/null 2>&1; then
  rm -rf "$out/include.new" && cp -rp "$include_dir" "$out/include.new" && rm -rf "$out/include" && mv "$out/include.new" "$out/include"
fi
cmp -s "$lib" "$out/lib/libpier_wasmtime.a" || cp -p "$lib" "$out/lib/libpier_wasmtime.a"
echo "build-wasmtime: ready in $out"
