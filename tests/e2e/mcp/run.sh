#!/usr/bin/env bash
# Runs the scanner-mcp e2e test: installs the pinned MCP TypeScript SDK (npm ci from
# package-lock.json) into BUILD_DIR/tests/e2e/mcp-node when missing or out of date, then runs
# mcp_e2e.mjs there against the programs of BUILD_DIR.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$1" && pwd)
work="$build_dir/tests/e2e/mcp-node"
mkdir -p "$work"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$source_dir/mcp_e2e.mjs" "$work/"
if ! cmp -s "$work/package-lock.json" "$work/node_modules/.installed-lock" 2>/dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$work/package-lock.json" "$work/node_modules/.installed-lock"
fi
cd "$work"
exec node mcp_e2e.mjs "$build_dir"
