#!/usr/bin/env bash
# Runs the demo against this build and checks that it finished every scan it queued (one
# through scanner-mcp) and left no process behind.
set -euo pipefail
source_dir=$1
build_dir=$2
pid_file=$(mktemp)
output=$(mktemp)
trap 'rm -f "$pid_file" "$output"' EXIT

DEMO_SKIP_INSTALL=1 DEMO_SKIP_BUILD=1 DEMO_BUILD_DIR="$build_dir" DEMO_SCAN_SECONDS=2 DEMO_PID_FILE="$pid_file" \
  NO_COLOR=1 bash "$source_dir/scripts/demo.sh" >"$output" 2>&1 || { cat "$output"; echo "demo failed"; exit 1; }

for expected in "Office network (untrusted)" "Linux servers (SSH works)" "Legacy hosts (SSH refused)" "DMZ web servers" \
                "nessus_tasks_finished_total" '"type":"vulnerability"' "MCP tools/call run_untrusted_scan answered"; do
  if ! grep -qF "$expected" "$output"; then
    cat "$output"
    echo "demo output lacks: $expected"
    exit 1
  fi
done
left=0
while read -r pid; do
  if kill -0 "$pid" 2>/dev/null; then
    echo "process $pid is still running after the demo"
    left=1
  fi
done <"$pid_file"
[ "$(wc -l <"$pid_file")" -ge 4 ] || { echo "demo recorded too few processes"; exit 1; }
exit $left
