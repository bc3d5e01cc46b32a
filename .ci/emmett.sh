#!/usr/bin/env bash
# Installs the Node packages of tests/fixtures/emmett (the real Emmett
# library, which writes the Emmett SQLite fixtures), unless the installed
# ones already match package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/emmett"

if ! command -v npm >/dev/null 2>&1; then
    echo "installing Node.js and npm from the distribution" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

stamp=node_modules/.rewind-lock.sha256
# The native sqlite3 module is built for one Node: its version is part of it.
wanted="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi
# node-gyp needs Node's headers: use the distribution's instead of a download.
if [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$wanted" > "$stamp"
