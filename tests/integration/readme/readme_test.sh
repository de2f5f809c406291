#!/usr/bin/env bash
# Runs the README's offline commands and checks that its tables (environment variables,
# metrics, scripts) match the code: a renamed variable or metric fails here.
set -uo pipefail
src=$1
build=$2
readme="$src/README.md"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The quick start is exactly two commands, and both scripts exist and parse.
quick=$(awk '/^## Quick start/{f=1} f&&/^```sh/{b=1;next} b&&/^```/{exit} b' "$readme" | grep -v '^\s*$')
[ "$(echo "$quick" | wc -l)" -eq 2 ] || fail "quick start should have two commands, has: $quick"
for script in $(echo "$quick" | awk '{print $1}') scripts/bench.sh scripts/chaos-long.sh tests/fuzz/run.sh; do
  [ -x "$src/$script" ] || fail "$script is not an executable file"
  bash -n "$src/$script" || fail "$script does not parse"
done

# Every environment variable of the tables is read by the code (the worker's and
# scanner-mcp's), and the code reads no other.
documented=$(sed -n 's/^| `\([A-Z_]*\)` |.*/\1/p' "$readme" | sort -u)
in_code=$(grep -ho '"[A-Z][A-Z_]*"' "$src/src/config/environment.cpp" "$src/src/mcp/settings.cpp" | tr -d '"' | sort -u)
for variable in $documented; do
  echo "$in_code" | grep -qx "$variable" || fail "README documents $variable, which the code does not read"
done
for variable in $in_code; do
  echo "$documented" | grep -qx "$variable" || fail "the code reads $variable, which the README does not document"
done

# Every metric the README names exists.
for metric in $(grep -o '`nessus_[a-z_]*' "$readme" | tr -d '`' | sort -u); do
  grep -q "\"$metric\"" "$src/src/telemetry/metrics.cpp" || fail "README names metric $metric, which does not exist"
done

# The programs answer --help, and the worker refuses a bad variable naming it (exit 2).
# (output captured first: grep -q closing the pipe early would fail the pipeline)
scanctl_help=$("$build/apps/scanctl/scanctl" --help)
grep -q "submit" <<<"$scanctl_help" || fail "scanctl --help"
sim_help=$("$build/devtools/nessus-sim/nessus-sim" --help)
grep -q -- "--scan-seconds" <<<"$sim_help" || fail "nessus-sim --help"
out=$(POLL_INTERVAL_SECONDS=abc SCANNER_CONFIG="$src/config/scanners.example.yaml" "$build/apps/scanner-worker/scanner-worker" 2>&1)
status=$?
[ $status -eq 2 ] || fail "scanner-worker with a bad variable exited $status, not 2"
echo "$out" | grep -q POLL_INTERVAL_SECONDS || fail "the error does not name POLL_INTERVAL_SECONDS: $out"

if [ $failures -gt 0 ]; then
  echo "$failures README check(s) failed"
  exit 1
fi
echo "README checks passed"
