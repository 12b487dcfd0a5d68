#!/usr/bin/env bash
# Fetches the dashboard's third-party files with `npm pack` (no Node at build
# or run time: the files are committed under vendor/), checks each tarball
# against the sha256 in vendor/SOURCES, and copies the listed files with
# their licences. The only change: hooks.mjs imports "./preact.mjs" instead
# of the bare "preact" (the page has no import map: the CSP allows no inline
# script). Run it after changing vendor/SOURCES; `--check` only verifies that
# the committed files are what the tarballs hold.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
check=0; [ "${1:-}" = "--check" ] && check=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
status=0
while read -r spec sum files; do
  case "$spec" in ''|\#*) continue ;; esac
  name=${spec%@*}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tgz=$(ls "$work"/"$name"-*.tgz)
  got=$(sha256sum "$tgz" | cut -d' ' -f1)
  if [ "$got" != "$sum" ]; then echo "vendor: $spec: tarball sha256 $got, SOURCES says $sum"; exit 1; fi
  mkdir -p "$work/$name"; tar xzf "$tgz" -C "$work/$name"; rm "$tgz"
  for f in $files; do
    src="$work/$name/package/$f"
    dest="$here/vendor/$name/$(basename "$f")"
    [ "$(basename "$f")" = LICENSE ] && dest="$here/vendor/$name/LICENSE"
    tmp="$work/out"; cp "$src" "$tmp"
    [ "$name/$(basename "$f")" = preact/hooks.mjs ] && sed -i 's/from"preact"/from"\.\/preact.mjs"/g' "$tmp"
    if [ $check = 1 ]; then
      cmp -s "$tmp" "$dest" || { echo "vendor: $dest differs from $spec"; status=1; }
    else
      mkdir -p "$(dirname "$dest")"; cp "$tmp" "$dest"
    fi
  done
  echo "vendor: $spec ok"
done < "$here/vendor/SOURCES"
exit $status
