# Sourced by Pier's scripts: toolchains that live outside the default PATH.
for d in "$HOME/.cargo/bin" /usr/local/go/bin /usr/lib/go/bin; do
  case ":$PATH:" in *":$d:"*) ;; *) [ -d "$d" ] && PATH="$d:$PATH" ;; esac
done
export PATH
export PIER_CACHE_DIR="${PIER_CACHE_DIR:-$HOME/.cache/pier}"
# PIER_SANITIZE=address,undefined (or thread) builds with clang-19 and those
# sanitizers into its own folder (build-address-undefined, build-thread); clang
# also proves the code's locking annotations (-Werror=thread-safety).
_pier_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Set afresh on every source (scripts source this file more than once).
PIER_SANITIZE_CMAKE_ARGS=""
if [ -n "${PIER_SANITIZE:-}" ]; then
  export PIER_BUILD_DIR="${PIER_BUILD_DIR:-$_pier_root/build-$(echo "$PIER_SANITIZE" | tr ',' '-')}"
  PIER_SANITIZE_CMAKE_ARGS="-DPIER_SANITIZE=$PIER_SANITIZE -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DPIER_BUILD_BENCHMARKS=OFF"
  # The Wasm plugins do not depend on the host's sanitizers: every tree builds
  # them in build/ (once; the others find them current). So two trees must not
  # build at the same time.
  PIER_SANITIZE_CMAKE_ARGS="$PIER_SANITIZE_CMAKE_ARGS -DPIER_WASM_BUILD_DIR=$_pier_root/build"
  # The AddressSanitizer build also holds the libFuzzer targets (scripts/fuzz.sh),
  # so CI compiles Pier with ASan once.
  case "$PIER_SANITIZE" in
    *address*) PIER_SANITIZE_CMAKE_ARGS="$PIER_SANITIZE_CMAKE_ARGS -DPIER_FUZZ_INSTRUMENT=ON -DPIER_BUILD_FUZZERS=ON" ;;
  esac
else
  export PIER_BUILD_DIR="${PIER_BUILD_DIR:-$_pier_root/build}"
fi
export PIER_SANITIZE_CMAKE_ARGS
