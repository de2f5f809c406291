#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a private redis-server and two
# nessus-sim scanners on free loopback ports with a generated scanners.yaml, starts
# scanner-worker and scanner-mcp (the MCP server, HTTP), queues four scans (untrusted;
# authenticated that works; authenticated whose credentials fail; one on a second pool,
# submitted as an AI agent would: MCP tools/call run_untrusted_scan), shows their progress
# live, prints the results, and stops everything it started (also on Ctrl-C). Nothing is
# left running.
#
# Environment: DEMO_BUILD_DIR (default build; an existing build is reused),
# DEMO_SCAN_SECONDS (default 8), DEMO_SKIP_INSTALL=1 to skip the package check,
# DEMO_SKIP_BUILD=1 to use the build as it is, DEMO_PID_FILE to record the processes it
# started (its test checks that none is left).
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(pwd)
build="${DEMO_BUILD_DIR:-$project/build}"
scan_seconds="${DEMO_SCAN_SECONDS:-8}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "${DEMO_SKIP_INSTALL:-0}" != 1 ]; then
  bash scripts/install-deps.sh
fi
if [ ! -x "$build/apps/scanner-worker/scanner-worker" ] || [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
  say "building (first time takes a few minutes)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" --target scanner-worker nessus-sim scanctl scanner-mcp
fi

run_dir=$(mktemp -d /tmp/scanner-worker-demo.XXXXXX)
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$run_dir"
  exit "$status"
}
trap cleanup EXIT
record_pid() { pids+=("$1"); [ -z "${DEMO_PID_FILE:-}" ] || echo "$1" >>"$DEMO_PID_FILE"; }
trap 'echo; echo "interrupted: stopping everything"; exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

say "starting redis-server and two nessus-sim scanners"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$run_dir" \
  --loglevel warning >"$run_dir/redis.log" 2>&1 &
record_pid $!
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

start_sim() {  # name -> prints the port
  local name=$1
  "$build/devtools/nessus-sim/nessus-sim" --port 0 --scan-seconds "$scan_seconds" --pending-seconds 1 \
    --export-seconds 1 >"$run_dir/$name.out" 2>"$run_dir/$name.log" &
  record_pid $!
  for _ in $(seq 200); do
    grep -q "listening on" "$run_dir/$name.out" 2>/dev/null && break
    sleep 0.05
  done
}
start_sim sim-main
start_sim sim-dmz
main_url=$(sed -n 's/^listening on //p' "$run_dir/sim-main.out")
dmz_url=$(sed -n 's/^listening on //p' "$run_dir/sim-dmz.out")
echo "redis on 127.0.0.1:$redis_port, scanners at $main_url and $dmz_url"

cat >"$run_dir/scanners.yaml" <<YAML
nessus:
  - instance_id: scanner1
    name: Main scanner (simulated)
    url: $main_url
    username: nessus
    password: \${DEMO_SCANNER_PASSWORD:-nessus}
    max_concurrent_scans: 2
nessus_dmz:
  - instance_id: dmz1
    name: DMZ scanner (simulated)
    url: $dmz_url
    username: nessus
    password: \${DEMO_SCANNER_PASSWORD:-nessus}
    max_concurrent_scans: 1
YAML

export REDIS_URL="redis://127.0.0.1:$redis_port"
export DATA_DIR="$run_dir/tasks"
export SCANNER_CONFIG="$run_dir/scanners.yaml"
mkdir -p "$DATA_DIR"
metrics_port=$(free_port)

say "starting scanner-worker (log: JSON lines in $run_dir/worker.log)"
WORKER_ID=demo-worker POLL_INTERVAL_SECONDS=1 METRICS_ADDR="127.0.0.1:$metrics_port" LOG_FORMAT=json \
  "$build/apps/scanner-worker/scanner-worker" 2>"$run_dir/worker.log" &
record_pid $!

scanctl="$build/apps/scanctl/scanctl"
say "queueing three scans with scanctl"
export DEMO_SSH_PASSWORD="demo-password"
ids=()
submit() { ids+=("$("$scanctl" submit --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')"); }
submit --name "Office network (untrusted)" --targets "10.10.0.1, 10.10.0.2"
submit --name "Linux servers (SSH works)" --targets "10.20.0.5" --scan-type authenticated \
  --ssh-user scanner --password-env DEMO_SSH_PASSWORD
submit --name "Legacy hosts (SSH refused)" --targets "authfail-legacy1.example, authfail-legacy2.example" \
  --scan-type authenticated --ssh-user scanner --password-env DEMO_SSH_PASSWORD

say "starting scanner-mcp (MCP over HTTP) and submitting the DMZ scan through it, as an agent would"
mcp_port=$(free_port)
MCP_LISTEN_ADDR="127.0.0.1:$mcp_port" LOG_FORMAT=json "$build/apps/scanner-mcp/scanner-mcp" \
  >"$run_dir/mcp.out" 2>"$run_dir/mcp.log" &
record_pid $!
for _ in $(seq 200); do grep -q "listening on" "$run_dir/mcp.out" 2>/dev/null && break; sleep 0.05; done
mcp_url="http://127.0.0.1:$mcp_port/mcp"
mcp_post() {  # [session] json -> response headers and body
  curl -s -i -X POST "$mcp_url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    ${1:+-H "Mcp-Session-Id: $1"} -H 'MCP-Protocol-Version: 2025-11-25' -d "$2"
}
session=$(mcp_post "" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
  "capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *//p' | tr -d '\r')
mcp_post "$session" '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null
call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_untrusted_scan","arguments":
  {"targets":"192.0.2.10","name":"DMZ web servers","scanner_pool":"nessus_dmz","idempotency_key":"demo-dmz"}}}'
answer=$(mcp_post "$session" "$call" | sed -n '/^{/p')
echo "MCP tools/call run_untrusted_scan answered: $(echo "$answer" | python3 -c '
import json, sys
result = json.load(sys.stdin)["result"]["structuredContent"]
print(result["task_id"], result["status"], "on pool", result["scanner_pool"])')"
ids+=("$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["structuredContent"]["task_id"])')")
"$scanctl" queue

say "progress (refreshed every second)"
while true; do
  "$scanctl" list --limit 10
  done_count=$("$scanctl" list --json | python3 -c '
import json, sys
tasks = json.load(sys.stdin)
tasks = tasks.get("tasks", tasks) if isinstance(tasks, dict) else tasks
print(sum(1 for t in tasks if t["status"] in ("completed", "failed", "timeout")))')
  [ "$done_count" -ge "${#ids[@]}" ] && break
  sleep 1
  echo
done

say "results"
for id in "${ids[@]}"; do
  "$scanctl" status "$id"
  echo
done
say "a page of findings of the first scan (JSON-NL, profile brief)"
"$scanctl" results "${ids[0]}" --profile brief --page 1 --page-size 10
say "scanner load and a few metrics"
"$scanctl" scanners
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^nessus_(tasks_finished_total|validation_results_total|pool_queue_depth|auth_failures_total)' || true
say "dead-letter queue (the failed scan is there, its password masked)"
"$scanctl" dlq list nessus
say "done: stopping the worker, scanners and redis"
