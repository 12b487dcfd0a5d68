#!/usr/bin/env bash
# The dashboard's browser tests (dashboard.test.mjs) with Debian's Chromium
# and playwright-core installed from the committed lockfile into the build
# folder (no browser download): run.sh BUILD_DIR PIER_BINARY PLUGIN_DIR HEARTBEAT_PACKAGE
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
node_dir="$build/dashboard-tests"
mkdir -p "$node_dir"
if ! cmp -s "$here/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
  (cd "$node_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi
command -v chromium >/dev/null || { echo "dashboard tests: Debian's chromium is not installed (scripts/setup.sh installs it)"; exit 1; }
export PIER_PLAYWRIGHT="$node_dir/node_modules/playwright-core/index.mjs"
export PIER_BINARY="$2" PIER_PLUGIN_DIR="$3" PIER_DASHBOARD_OUT="$build/dashboard-screenshots"
export PIER_HEARTBEAT_PACKAGE="$4"
exec node --test --test-reporter=spec "$here/dashboard.test.mjs"
