#!/usr/bin/env bash
# Build the starter's dashboard (web/) into web/dist: what `make web` runs when a source of
# web/ changed (and `make run`, `make test` and the browser tests through it).
#
# web/ has its own package.json and lock: `npm ci` there whenever they changed, then its
# `build` script. A web/ with no build script yet (a scaffold: package.json and index.html)
# is copied as it is; no web/ at all builds nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"
INSTALLED="$WEB/node_modules/.installed"

if [[ ! -f "$WEB/package.json" ]]; then
    echo "build_web.sh: no web/package.json, no app to build" >&2
    exit 0
fi
cd "$WEB"
if [[ -f package-lock.json ]] && [[ ! -f "$INSTALLED" || package-lock.json -nt "$INSTALLED" \
    || package.json -nt "$INSTALLED" ]]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch "$INSTALLED"
fi
if node -e 'process.exit(require("./package.json").scripts?.build ? 0 : 1)'; then
    npm run --silent build
else
    echo "build_web.sh: web/package.json has no build script: web/index.html is the app" >&2
    rm -rf dist
    mkdir -p dist
    cp index.html dist/
fi
touch dist/.built
