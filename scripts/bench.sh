#!/bin/sh
# Benchmarks of the worker (bench/worker_bench.py: dispatch, concurrency cost, recovery,
# results validation and paging via bench/results_bench, scanner-mcp via bench/mcp_bench,
# the dashboard via bench/dashboard_bench):
# builds what they need, prints one table and writes bench/results/latest.json and latest.md.
# Usage: [QUICK=1] [BUILD_DIR=dir] scripts/bench.sh
#   QUICK=1    shorter windows and single runs of the longest benchmarks
#   BUILD_DIR  build folder to use (default build-bench, Release, no tests)
set -eu
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSW_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" --target scanner-worker nessus-sim scanctl results_bench scanner-mcp mcp_bench dashboard_bench
mkdir -p "$source_dir/bench/results"
quick=""
[ "${QUICK:-0}" = "1" ] && quick="--quick"
exec python3 "$source_dir/bench/worker_bench.py" --build "$build_dir" $quick \
  --out-json "$source_dir/bench/results/latest.json" --out-md "$source_dir/bench/results/latest.md"
