#!/usr/bin/env bash
# Installs the pinned npm packages of the SDK compatibility tests (tests/sdk/*) and of the browser
# tests of the web pages (tests/ui) with `npm ci`.
# Skips a folder whose node_modules was installed from the same package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v npm >/dev/null 2>&1; then
  echo "20-node-packages: node and npm are required (apt-get install -y nodejs npm)" >&2
  exit 1
fi

for dir in tests/sdk/node tests/sdk/browser tests/ui; do
  lock="$dir/package-lock.json"
  stamp="$dir/node_modules/.installed-lock.sha256"
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    continue
  fi
  echo "20-node-packages: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
done
