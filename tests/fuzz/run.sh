#!/bin/sh
# Builds the libFuzzer targets with clang++ (tests/fuzz/CMakeLists.txt, a separate CMake
# project) and runs each for SECONDS (default 20) on a corpus seeded at run time from
# exportgen exports, task messages and megabyte texts (inputs up to MAX_LEN bytes,
# default 4 MiB). Exits non-zero when a target finds a crash; the
# reproducer is left in the work folder (printed).
# Usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]
set -eu
seconds=${1:-20}
max_len=${MAX_LEN:-4194304}
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
build_dir=${2:-$fuzz_dir/../../build-fuzz}
cmake -S "$fuzz_dir" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j2 >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/sw-fuzz.XXXXXX")
"$build_dir/fuzz_seed_corpus" "$work/seeds"
status=0
for pair in nessus_reader:nessus byte_scanner:nessus task_message:task redact:text; do
  target=${pair%%:*}
  seeds=${pair#*:}
  mkdir -p "$work/corpus-$target" "$work/artifacts-$target"
  echo "fuzz_$target: ${seconds}s"
  if ! "$build_dir/fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=30 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts-$target/" \
      "$work/corpus-$target" "$work/seeds/$seeds" >"$work/$target.log" 2>&1; then
    echo "fuzz_$target FAILED; log and reproducer in $work" >&2
    tail -n 40 "$work/$target.log" >&2
    status=1
  else
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/$target.log" | tr '\n' ' '
    echo
  fi
done
[ "$status" -eq 0 ] && rm -rf "$work"
exit "$status"
