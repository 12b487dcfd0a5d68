#!/usr/bin/env bash
# Installs what Pier needs on a Debian bookworm machine, idempotently:
# Debian packages (only those missing), then the Wasmtime C API staticlib
# (cargo, --locked, target directory outside the clone so it is cached).
#
#   scripts/setup.sh            # packages + Wasmtime
#   PIER_SKIP_APT=1 scripts/setup.sh   # only Wasmtime
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# What each package is for is listed in README.md ("Dependencies").
packages=(
  build-essential cmake ninja-build pkg-config git python3 python3-jinja2 python3-yaml python3-prometheus-client
  clang-19 lld-19 wasi-libc libc++-19-dev-wasm32 libclang-rt-19-dev-wasm32
  libcurl4-openssl-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libre2-dev libboost-dev libhowardhinnant-date-dev tzdata openssl libzip-dev zip libtomlplusplus-dev libcpp-httplib-dev curl
  libssl-dev
  libtag1-dev sox libsox-fmt-all libgraphicsmagick++1-dev
  libpq-dev postgresql
  rustc-web cargo-web rust-web-src
  chromium
)
# The dashboard's browser tests drive Chromium from Node (playwright-core);
# Debian's nodejs and npm when the machine has no Node of its own.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
# Sanitized builds and the fuzz targets (PIER_SANITIZE, scripts/fuzz.sh) need
# clang's sanitizer runtimes and libFuzzer, and llvm-symbolizer (llvm-19) so
# that sanitizer reports name functions and lines instead of bare addresses.
if [ -n "${PIER_SANITIZE:-}" ]; then packages+=(libclang-rt-19-dev libfuzzer-19-dev llvm-19); fi

if [ "${PIER_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    # Debian's postgresql would create and start a system-wide cluster;
    # Pier's tests start private servers (scripts/with-postgres.sh) instead.
    if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      $sudo_cmd mkdir -p /etc/postgresql-common
      echo "create_main_cluster = false" | $sudo_cmd tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: Debian packages present"
  fi
fi

source "$here/scripts/env.sh"
"$here/scripts/build-wasmtime.sh"
