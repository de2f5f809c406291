#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and running the demo need,
# when any is missing. Safe to run again: it does nothing when all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates procps
  libboost1.81-dev libssl-dev libhiredis-dev nlohmann-json3-dev libyaml-cpp-dev
  libspdlog-dev prometheus-cpp-dev libexpat1-dev libcli11-dev libgtest-dev libgmock-dev
  redis-server redis-sentinel redis-tools prometheus openssl python3 curl clang libclang-rt-14-dev
  chromium  # the dashboard's browser test (tests/e2e/node/dashboard_e2e.mjs)
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Node and npm for the scanner-mcp e2e test (the MCP TypeScript SDK): Debian's when no node
# is on the PATH; a newer Node already installed is kept.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
