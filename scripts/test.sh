#!/usr/bin/env bash
# The whole test suite: installs missing packages, builds with warnings as errors, runs
# the unit, integration and e2e tests (ctest starts its own redis-server and nessus-sim
# on free loopback ports), then builds and runs the unit tests under ASan+UBSan.
# Usage: scripts/test.sh [ctest -L regex]   (default: everything but the long chaos run)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)
labels="${1:-unit|integration|e2e|chaos|fuzz}"

# ccache, when installed, makes a rebuild after a clean checkout cheap; CI works without it.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

echo "== build (warnings are errors)"
cmake --preset dev "${launcher[@]}" >/dev/null
cmake --build build -j "$jobs"

echo "== tests: $labels"
ctest --test-dir build -L "$labels" -LE long --output-on-failure -j "$jobs" --timeout 600

echo "== unit tests under ASan+UBSan"
cmake --preset asan "${launcher[@]}" >/dev/null
asan_targets=$(ctest --test-dir build -L unit -N -V 2>/dev/null |
  sed -n 's|^.*Test command: [^ ]*/\([A-Za-z0-9_]*unit_tests\) .*$|\1|p' | sort -u)
if [ -n "$asan_targets" ]; then
  # shellcheck disable=SC2086
  cmake --build build-asan -j "$jobs" --target $asan_targets
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L unit --output-on-failure -j "$jobs" --timeout 600
