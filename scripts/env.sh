# Sourced by Pier's scripts: toolchains that live outside the default PATH.
for d in "$HOME/.cargo/bin" /usr/local/go/bin /usr/lib/go/bin; do
  case ":$PATH:" in *":$d:"*) ;; *) [ -d "$d" ] && PATH="$d:$PATH" ;; esac
done
export PATH
export PIER_CACHE_DIR="${PIER_CACHE_DIR:-$HOME/.cache/pier}"
export PIER_BUILD_DIR="${PIER_BUILD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}"
