#!/usr/bin/env bash
# Pier beside Extism's own hosts, on the same .wasm files (built by Pier's
# build) and the same loops: Extism's runtime (the `extism` crate, on
# Wasmtime) and Extism's Go SDK (on wazero, what Navidrome uses). Prints
# nanoseconds per operation for each and Extism / Pier per row, all measured
# in this run. Not part of CI: the extism crate takes a long while to build
# the first time (cached beside Wasmtime's build afterwards).
#
#   bench/extism.sh              # BENCH_MS=1000 per run, best of three
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
PIER_BUILD_TARGETS="pier_extism_compare" "$here/scripts/build.sh" >/dev/null
plugins="$PIER_BUILD_DIR/plugins"
out="$PIER_BUILD_DIR/bench-extism"
mkdir -p "$out"

# Extism's runtime needs Rust 1.96 (Debian's rustc-web); its lock file pins every crate.
cache="${PIER_CACHE_DIR:-$HOME/.cache/pier}"
RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$cache/bench-extism" /usr/bin/cargo build --release --locked --quiet \
  --manifest-path "$here/bench/extism/rust/Cargo.toml"
(cd "$here/bench/extism/go" && GOFLAGS=-mod=mod go build -o "$out/extism-go" .)

"$PIER_BUILD_DIR/bench/pier_extism_compare" "$plugins" > "$out/pier.txt"
"$cache/bench-extism/release/extism_side" "$plugins" > "$out/extism.txt"
"$out/extism-go" "$plugins" > "$out/go-sdk.txt"

python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
def rows(name):
    return {l.split()[1]: float(l.split()[2]) for l in open(f"{out}/{name}.txt") if l.startswith("ROW ")}
pier, ext, go = rows("pier"), rows("extism"), rows("go-sdk")
print(f"{'loop':<18}{'Pier ns':>12}{'Extism ns':>12}{'Go SDK ns':>12}{'Extism/Pier':>13}{'Go SDK/Pier':>13}")
for k in pier:
    print(f"{k:<18}{pier[k]:>12.0f}{ext[k]:>12.0f}{go[k]:>12.0f}{ext[k]/pier[k]:>12.1f}x{go[k]/pier[k]:>12.1f}x")
PY
