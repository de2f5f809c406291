#!/bin/sh
# Benchmarks of the worker (bench/worker_bench.py: dispatch, concurrency and scale, recovery,
# results validation and paging via bench/results_bench, scanner-mcp via bench/mcp_bench,
# the dashboard via bench/dashboard_bench): builds what they need, prints one table and
# writes bench/results/latest.json and latest.md.
# The worker benchmarks also run the previous implementation's scanner-worker in the same
# run: BASELINE_REF is checked out (git archive) into a folder of its own and built once.
# Usage: [QUICK=1] [BUILD_DIR=dir] [BASELINE_REF=commit] [ALSO_DATA_DIR=dir] scripts/bench.sh
#   QUICK=1       shorter windows and single runs of the longest benchmarks
#   BUILD_DIR     build folder to use (default build-bench, Release, no tests); the
#                 baseline is built with the same CMAKE_BUILD_TYPE
#   BASELINE_REF  the previous implementation (default 60fdb20, the worker whose figures
#                 issue 18 started from); empty: no comparison
#   ALSO_DATA_DIR a folder on another file system: dispatch_1000 runs with DATA_DIR there too
set -eu
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build-bench}
baseline_ref=${BASELINE_REF-60fdb20}

configure() {  # source folder, build folder, build type
  if [ ! -f "$2/CMakeCache.txt" ]; then
    cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE="$3" -DSW_BUILD_TESTS=OFF >/dev/null
  fi
}

configure "$source_dir" "$build_dir" Release
# The baseline is built as the build folder is (a dev build is RelWithDebInfo): same flags.
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt")
cmake --build "$build_dir" --target scanner-worker nessus-sim scanctl results_bench scanner-mcp mcp_bench dashboard_bench
baseline_args=""
if [ -n "$baseline_ref" ]; then
  commit=$(git -C "$source_dir" rev-parse --short "$baseline_ref^{commit}")
  baseline_root="$source_dir/build-bench-baseline-$commit-$build_type"
  if [ ! -d "$baseline_root/src" ]; then
    mkdir -p "$baseline_root/src"
    git -C "$source_dir" archive "$commit" | tar -x -C "$baseline_root/src"
  fi
  configure "$baseline_root/src" "$baseline_root/build" "$build_type"
  cmake --build "$baseline_root/build" --target scanner-worker
  baseline_args="--baseline $baseline_root/build --baseline-ref $commit"
fi
mkdir -p "$source_dir/bench/results"
quick=""
[ "${QUICK:-0}" = "1" ] && quick="--quick"
set --
[ -n "${ALSO_DATA_DIR:-}" ] && set -- --also-data-dir "$ALSO_DATA_DIR"
# shellcheck disable=SC2086 # the optional arguments split on purpose
exec python3 "$source_dir/bench/worker_bench.py" --build "$build_dir" $baseline_args $quick "$@" \
  --out-json "$source_dir/bench/results/latest.json" --out-md "$source_dir/bench/results/latest.md"
