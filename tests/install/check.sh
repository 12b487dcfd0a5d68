#!/usr/bin/env bash
# Installs this build into a temporary prefix, then, as an outside user
# would: builds a program with find_package(Pier) + pier::pier, builds a
# plugin with the installed C++ kit, runs the one on the other, runs the
# installed `pier --version`; and builds the .deb (CPack), unpacks it into
# a scratch root and runs its `pier --version`.
#   tests/install/check.sh BUILD_DIR
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d /tmp/pier-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$work/prefix/bin/pier" --version | grep -q '^pier ' || { echo "installed pier --version failed"; exit 1; }

cmake -S "$here/app" -B "$work/app" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/app" >/dev/null
pdk=$(sed -n 's/^set_and_check(PIER_PDK_DIR "\(.*\)")$/\1/p' "$work/prefix/lib/cmake/Pier/PierConfig.cmake" | sed "s|\${PACKAGE_PREFIX_DIR}|$work/prefix|")
cmake -S "$here/plugin" -B "$work/plugin" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$pdk/wasm32-wasi.cmake" -DPIER_PDK_DIR="$pdk" >/dev/null
cmake --build "$work/plugin" >/dev/null
out=$("$work/app/consumer" "$work/plugin/shout.wasm" shout "hello from outside")
[ "$out" = "HELLO FROM OUTSIDE" ] || { echo "consumer printed '$out'"; exit 1; }
echo "outside program + outside plugin: $out"

( cd "$build" && cpack -G DEB -B "$work/deb" >/dev/null )
deb=$(ls "$work"/deb/pier-*.deb)
dpkg-deb -x "$deb" "$work/root"
"$work/root/usr/bin/pier" --version | head -1
echo "install check passed ($(du -h "$deb" | cut -f1) .deb)"
