#!/bin/sh
# Builds and runs the results benchmark (bench/results_bench.cpp: validation by expat and
# by the byte scanner, page 50 from the whole export and through the index, in process and
# as scanctl processes).
# Usage: bench/results_bench.sh [BUILD_DIR] [results_bench options...]
set -eu
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$source_dir/build-bench}
[ $# -gt 0 ] && shift
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSW_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" --target results_bench scanctl
exec "$build_dir/bench/results_bench" --scanctl "$build_dir/apps/scanctl/scanctl" "$@"
