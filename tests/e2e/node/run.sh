#!/usr/bin/env bash
# Runs one of the Node end-to-end tests (mcp_e2e.mjs, dashboard_e2e.mjs): installs the pinned
# packages (npm ci from package-lock.json: the MCP TypeScript SDK, playwright-core) into
# BUILD_DIR/tests/e2e/node when missing or out of date, then runs the script there against
# the programs of BUILD_DIR. Usage: run.sh BUILD_DIR SCRIPT
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$1" && pwd)
script=$2
work="$build_dir/tests/e2e/node"
mkdir -p "$work"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$source_dir"/*.mjs "$work/"
if ! cmp -s "$work/package-lock.json" "$work/node_modules/.installed-lock" 2>/dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$work/package-lock.json" "$work/node_modules/.installed-lock"
fi
cd "$work"
exec node "$script" "$build_dir"
