#!/usr/bin/env python3
"""Benchmarks of the scanner-worker binary against nessus-sim and a private redis-server.

dispatch     N queued tasks (1,000 and 10,000) whose scans finish at once, poll 0.1 s, large
             capacity: tasks/s to drain, worker CPU ms per task (user + system), peak RSS (VmHWM);
             both once more with DATA_DIR on tmpfs (/dev/shm), the worker's own CPU without
             the file system's; with --also-data-dir DIR, 1,000 tasks with DATA_DIR in DIR too
             (another file system: a journaled ext4 mount, say).
concurrency  1,000 and 10,000 scans running at once on one worker (targets the simulator never
             finishes), poll 1 s, measured over a window: worker CPU % of one core, RSS, threads,
             Redis requests per second (the worker is Redis's only client then) and the commands
             its Lua scripts ran per second, both counted with MONITOR; then the growth of each
             per 1,000 scans between the two sizes.
recovery     kill -9 of a worker holding 100 running scans (HEARTBEAT_TTL_SECONDS 2, so the
             reaper runs every 2 s): seconds until a second worker has logged "re-attaching
             task" for all of them.
results      bench/results_bench, old path against new: export validation MB/s by expat and
             by the byte scanner (and with the results index written in the same pass), and
             page 50 with a severity filter from the whole export and through the index, in
             process and as whole `scanctl results` processes; its JSON merged in.
dashboard    bench/dashboard_bench: the dashboard's overview, dead-letter and task pages with
             10,000 task folders and 1,000 dead letters, whole requests through Dashboard::handle.
mcp          bench/mcp_bench (scanner-mcp over HTTP: get_scan_status and get_scan_results page 1
             calls/s with 50 concurrent sessions on a 50 MB export; RSS with 1,000 idle
             sessions), its JSON merged in.

With --baseline DIR (a build of the previous implementation, which scripts/bench.sh makes
from BASELINE_REF), dispatch, concurrency and recovery run that build's scanner-worker too,
old and new taking turns run by run against the same simulator build, and each figure gets
the previous median and the ratio previous/new.

Each figure is the median of several runs with min and max. Prints one table and writes
JSON (machine: cores, memory, compiler) and a Markdown table. Standard library only.

Usage: worker_bench.py --build DIR [--baseline DIR] --out-json FILE --out-md FILE [--quick]
                       [--also-data-dir DIR]...
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
# The dispatch benchmark also runs with DATA_DIR here: the worker's CPU without the cost of
# the disk's file system (creating, syncing and renaming task.json, exports and indexes).
TMPFS = "/dev/shm"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout, step=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class Redis:
    """A minimal RESP client (enough for LPUSH pipelines, LLEN, KEYS)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            data = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(out)

    def read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b"-"):
            if kind == b"-":
                raise RuntimeError(rest.decode())
            return rest.decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(f"bad RESP line {line!r}")

    def call(self, *args):
        self.sock.sendall(self.encode(*args))
        return self.read()

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))
        return [self.read() for _ in commands]


class Proc:
    def __init__(self, argv, env=None, log=None):
        self.log = log
        out = open(log, "wb") if log else subprocess.DEVNULL
        self.p = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE if not log else out,
                                  stderr=out if log else subprocess.DEVNULL)

    @property
    def pid(self):
        return self.p.pid

    def status(self):
        fields = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return fields

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / CLK_TCK  # utime, stime

    def kib(self, key):
        return int(self.status()[key].split()[0])

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def worker_died(worker):
    """The error for a worker that exited: its exit status and its last log line."""
    with open(worker.log, errors="replace") as f:
        lines = f.read().strip().splitlines()
    return RuntimeError(f"worker exited ({worker.p.returncode}): {lines[-1][:200] if lines else 'no log'}")


class Cluster:
    """redis-server + one nessus-sim + scanners.yaml + DATA_DIR; workers on demand."""

    def __init__(self, build, sim_args, limit, data_parent=None):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="sw-bench-")
        self.data = tempfile.mkdtemp(prefix="sw-bench-data-", dir=data_parent or self.dir)
        self.redis_port = free_port()
        self.redis = Proc(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", "--dir", self.dir, "--loglevel", "warning"])
        self.r = wait_for(lambda: self._connect(), 10, what="redis")
        self.sim = Proc([os.path.join(build, "devtools/nessus-sim/nessus-sim"), "--port", "0"] + sim_args)
        line = wait_for(lambda: self._sim_line(), 20, what="nessus-sim")
        self.sim_port = int(line.rsplit(":", 1)[1])
        self.scanners = os.path.join(self.dir, "scanners.yaml")
        with open(self.scanners, "w") as f:
            f.write(f"nessus:\n  - instance_id: sim1\n    name: sim1\n    url: http://127.0.0.1:{self.sim_port}\n"
                    f"    username: nessus\n    password: nessus\n    max_concurrent_scans: {limit}\n")
        self.workers = {}

    def _connect(self):
        try:
            r = Redis(self.redis_port)
            return r if r.call("PING") == "PONG" else None
        except OSError:
            return None

    def _sim_line(self):
        line = self.sim.p.stdout.readline().decode()
        return line.strip() if "listening on " in line else None

    def sim_stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.sim_port}/__sim/stats", timeout=30) as resp:
            return json.load(resp)

    def start_worker(self, worker_id, poll, worker_build=None):
        env = {"REDIS_URL": f"redis://127.0.0.1:{self.redis_port}", "DATA_DIR": self.data,
               "SCANNER_CONFIG": self.scanners, "WORKER_ID": worker_id, "LOG_LEVEL": "INFO",
               "POLL_INTERVAL_SECONDS": str(poll), "HEARTBEAT_TTL_SECONDS": "2", "SHUTDOWN_GRACE_SECONDS": "1",
               "METRICS_ADDR": "", "HOUSEKEEPING_ENABLED": "false"}
        exe = os.path.join(worker_build or self.build, "apps/scanner-worker/scanner-worker")
        self.workers[worker_id] = Proc([exe], env,
                                       os.path.join(self.dir, worker_id + ".log"))
        return self.workers[worker_id]

    def enqueue(self, targets):
        commands = []
        for i, target in enumerate(targets):
            task_id = f"bench_{i}_{os.getpid()}"
            message = {"task_id": task_id, "trace_id": "", "scan_type": "untrusted", "scanner_pool": "nessus",
                       "scanner_instance_id": None,
                       "payload": {"targets": target, "name": f"bench {i}", "description": "", "schema_profile": "brief"}}
            commands.append(("LPUSH", "nessus:queue", json.dumps(message)))
        for start in range(0, len(commands), 1000):
            self.r.pipeline(commands[start:start + 1000])

    def wait_running(self, worker, scans):
        """Waits until the simulator runs `scans` scans; fails at once if the worker died."""
        def ready():
            if worker.p.poll() is not None:
                raise worker_died(worker)
            return self.sim_stats()["running_now"] >= scans
        wait_for(ready, 300, 0.5, f"{scans} running scans")

    def redis_traffic(self, seconds):
        """Commands Redis ran over `seconds`, by MONITOR: (requests from clients, commands run
        inside Lua scripts). The worker is the only client then."""
        requests = in_scripts = 0
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
            s.sendall(Redis.encode("MONITOR"))
            lines = s.makefile("rb")
            lines.readline()  # +OK
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                try:
                    line = lines.readline()
                except (TimeoutError, socket.timeout):
                    continue
                if not line:
                    break
                if b" lua] " in line:
                    in_scripts += 1
                else:
                    requests += 1
        return requests, in_scripts

    def pending(self):
        """Entries queued or in flight (acknowledged or dead-lettered ones are gone)."""
        keys = self.r.call("KEYS", "sw:inflight:nessus:*") or []
        return self.r.call("LLEN", "nessus:queue") + sum(self.r.call("LLEN", k) for k in keys)

    def close(self):
        for w in self.workers.values():
            w.stop()
        self.sim.stop()
        self.redis.stop()
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def bench_dispatch(build, tasks, worker_build, data_parent=None):
    c = Cluster(build, ["--scan-seconds", "0", "--pending-seconds", "0", "--export-seconds", "0"], 10000, data_parent)
    try:
        c.enqueue([f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" for i in range(tasks)])
        start = time.monotonic()
        w = c.start_worker("bench-dispatch", 0.1, worker_build)
        peak = 0
        while c.pending() > 0:
            if w.p.poll() is not None:
                raise worker_died(w)
            peak = max(peak, w.kib("VmHWM"))
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        cpu = w.cpu_seconds()
        peak = max(peak, w.kib("VmHWM"))
        dead = c.r.call("ZCARD", "nessus:queue:dead")
        return {"tasks_per_s": tasks / elapsed, "cpu_ms_per_task": 1000 * cpu / tasks, "peak_rss_mb": peak / 1024,
                "dead_letters": dead}
    finally:
        c.close()


def bench_concurrency(build, scans, window, worker_build):
    c = Cluster(build, ["--scan-seconds", "36000", "--pending-seconds", "0"], min(scans + 10, 10000))
    try:
        c.enqueue([f"never{i}.bench.example" for i in range(scans)])
        w = c.start_worker("bench-concurrency", 1, worker_build)
        c.wait_running(w, scans)
        time.sleep(2)  # let the last starts settle before the window
        cpu0, t0 = w.cpu_seconds(), time.monotonic()
        requests, in_scripts = c.redis_traffic(window)
        cpu1, t1 = w.cpu_seconds(), time.monotonic()
        st = w.status()
        return {"cpu_percent": 100 * (cpu1 - cpu0) / (t1 - t0), "rss_mb": int(st["VmRSS"].split()[0]) / 1024,
                "threads": int(st["Threads"]), "redis_requests_per_s": requests / window,
                "redis_commands_in_scripts_per_s": in_scripts / window}
    finally:
        c.close()


def bench_recovery(build, scans, worker_build):
    c = Cluster(build, ["--scan-seconds", "3600", "--pending-seconds", "0"], scans + 10)
    try:
        c.enqueue([f"never{i}.bench.example" for i in range(scans)])
        first = c.start_worker("bench-first", 1, worker_build)
        c.wait_running(first, scans)
        second = c.start_worker("bench-second", 1, worker_build)
        log = second.log
        first.stop(signal.SIGKILL)
        killed = time.monotonic()

        def reattached():
            with open(log, errors="replace") as f:
                ids = set(re.findall(r'"re-attaching task".*?"task_id":"([^"]+)"', f.read()))
            return len(ids) >= scans

        wait_for(reattached, 300, 0.05, "re-attachment")
        seconds = time.monotonic() - killed
        launches = c.sim_stats()["launches_total"]
        return {"seconds": seconds, "launches_total": launches}
    finally:
        c.close()


def results_bench(build, quick):
    exe = os.path.join(build, "bench/results_bench")
    sizes = "50" if quick else "50,250"
    out = subprocess.run([exe, "--sizes-mb", sizes, "--runs", "3" if quick else "5",
                          "--scanctl", os.path.join(build, "apps/scanctl/scanctl")],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def dashboard_bench(build, quick):
    """bench/dashboard_bench against a private redis-server: the pages with 10,000 task folders
    and 1,000 dead letters."""
    workdir = tempfile.mkdtemp(prefix="sw-dashboard-bench-")
    port = free_port()
    redis = Proc(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  "--dir", workdir, "--loglevel", "warning"])
    try:
        out = subprocess.run([os.path.join(build, "bench/dashboard_bench"), "--redis-url", f"redis://127.0.0.1:{port}",
                              "--runs", "10" if quick else "30"], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def mcp_bench(build, quick):
    exe = os.path.join(build, "bench/mcp_bench")
    seconds = "10" if quick else "30"
    out = subprocess.run([exe, "--build", build, "--sessions", "50", "--seconds", seconds, "--idle-sessions", "1000"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def results_rows(figures):
    """Rows of the results benchmark: each old/new pair, then their ratio."""
    rows = []

    def row(size, figure, s, runs):
        rows.append(f"| results {size:.0f} MB | {figure} | {s['median']:.1f} | {s['min']:.1f} | {s['max']:.1f} | {runs} |")

    for r in figures:
        size, runs, v, p = r["size_mb"], r["runs"], r["validation"], r["page"]
        row(size, "validation MB/s, expat (old)", v["expat"]["mb_per_s"], runs)
        row(size, "validation MB/s, byte scan (new)", v["byte_scan"]["mb_per_s"], runs)
        row(size, "validation + index MB/s (worker)", v["byte_scan_and_index"]["mb_per_s"], runs)
        rows.append(f"| results {size:.0f} MB | validation ratio new/old | {v['ratio']:.2f} | | | {runs} |")
        rows.append(f"| results {size:.0f} MB | peak RSS MB, expat / scan + index | {v['expat']['peak_rss_mb']:.1f} / "
                    f"{v['byte_scan_and_index']['peak_rss_mb']:.1f} | | | {runs} |")
        row(size, "page 50 severity>=3 ms, whole export (old)", p["whole_export_ms"], runs)
        row(size, "page 50 severity>=3 ms, index (new)", p["indexed_ms"], runs)
        rows.append(f"| results {size:.0f} MB | page ratio old/new (same bytes: {'yes' if p['same_bytes'] else 'NO'}) "
                    f"| {p['ratio']:.0f} | | | {runs} |")
        if "scanctl_page" in r:
            s = r["scanctl_page"]
            row(size, "scanctl page 50 ms, --no-index (old)", s["no_index_ms"], runs)
            row(size, "scanctl page 50 ms, index (new)", s["indexed_ms"], runs)
            rows.append(f"| results {size:.0f} MB | scanctl ratio old/new | {s['ratio']:.0f} | | | {runs} |")
    return rows


def machine(build):
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    compiler = ""
    cache = os.path.join(build, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    path = line.split("=", 1)[1].strip()
                    compiler = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    compiler += " (" + line.split("=", 1)[1].strip() + ")"
    return {"cores": os.cpu_count(), "memory_gb": round(mem_kib / 1024 / 1024, 1), "compiler": compiler,
            "kernel": platform.release(), "load_average_at_start": os.getloadavg()[0],
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def repeated(runs, measure):
    samples = [measure() for _ in range(runs)]
    return {key: summary([s[key] for s in samples]) for key in samples[0]}


def compared(runs, measure, build, baseline):
    """measure(worker_build) for the new build and, with a baseline, the previous one, taking
    turns run by run; each figure of the new build gets the previous median and the ratio."""
    new, old = [], []
    for _ in range(runs):
        if baseline:
            old.append(measure(baseline))
        new.append(measure(build))
    result = {key: summary([s[key] for s in new]) for key in new[0]}
    if old:
        for key, s in result.items():
            previous = statistics.median([o[key] for o in old])
            s["previous"] = previous
            s["ratio"] = previous / s["median"] if s["median"] else None
    return result


def growth_per_thousand(small, large, small_scans, large_scans):
    """How much each figure grows per 1,000 more running scans between two sizes."""
    if "error" in small or "error" in large:
        return {"error": "a concurrency run failed"}
    step = (large_scans - small_scans) / 1000
    return {key: {"median": (large[key]["median"] - small[key]["median"]) / step, "min": None, "max": None,
                  "runs": min(large[key]["runs"], small[key]["runs"])} for key in large}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--baseline", help="build folder of the previous implementation (its scanner-worker)")
    ap.add_argument("--baseline-ref", default="", help="what the baseline was built from, for the report")
    ap.add_argument("--out-json", required=True)
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--also-data-dir", action="append", default=[], metavar="DIR",
                    help="run dispatch_1000 with DATA_DIR in DIR as well (another file system)")
    args = ap.parse_args()
    quick = args.quick
    runs = 3
    window = 20 if quick else 60
    build, base = args.build, args.baseline
    report = {"machine": machine(build), "quick": quick, "runs": runs, "baseline": args.baseline_ref if base else None,
              "benchmarks": {}}
    b = report["benchmarks"]
    few = 1 if quick else runs
    plan = [
        ("dispatch_1000", lambda: compared(runs, lambda w: bench_dispatch(build, 1000, w), build, base)),
        ("dispatch_1000, DATA_DIR on tmpfs",
         lambda: compared(runs, lambda w: bench_dispatch(build, 1000, w, TMPFS), build, base)),
        ("dispatch_10000", lambda: compared(few, lambda w: bench_dispatch(build, 10000, w), build, base)),
        ("dispatch_10000, DATA_DIR on tmpfs",
         lambda: compared(few, lambda w: bench_dispatch(build, 10000, w, TMPFS), build, base)),
    ] + [
        (f"dispatch_1000, DATA_DIR on {folder}",
         lambda folder=folder: compared(runs, lambda w: bench_dispatch(build, 1000, w, folder), build, base))
        for folder in args.also_data_dir
    ] + [
        ("concurrency_1000", lambda: compared(few, lambda w: bench_concurrency(build, 1000, window, w), build, base)),
        ("concurrency_10000", lambda: compared(few, lambda w: bench_concurrency(build, 10000, window, w), build, base)),
        ("concurrency growth per 1,000 scans",
         lambda: growth_per_thousand(b["concurrency_1000"], b["concurrency_10000"], 1000, 10000)),
        ("recovery_100", lambda: compared(runs, lambda w: bench_recovery(build, 100, w), build, base)),
        ("results", lambda: results_bench(build, quick)),
        ("mcp", lambda: mcp_bench(build, quick)),
        ("dashboard", lambda: dashboard_bench(build, quick)),
    ]
    for name, run in plan:
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            b[name] = run()
        except Exception as e:  # a failed benchmark is reported, the others still run
            b[name] = {"error": str(e)}
        print(json.dumps(b[name]), file=sys.stderr, flush=True)
    rows = table(report)
    text = "\n".join(rows)
    print(text)
    with open(args.out_json, "w") as f:
        json.dump(report, f, indent=2)
    m = report["machine"]
    previous = (f" Previous: the same benchmark with the scanner-worker of {report['baseline']}, old and new runs "
                "taking turns; previous/new is the ratio of the medians.") if base else ""
    with open(args.out_md, "w") as f:
        f.write(f"# Benchmark results\n\nMachine: {m['cores']} cores, {m['memory_gb']} GB, {m['compiler']}, "
                f"kernel {m['kernel']}, load average {m['load_average_at_start']:.1f} at start, {m['date']}"
                f"{' (QUICK mode)' if quick else ''}.\nEach figure: median (min-max) over the runs shown.{previous}\n\n")
        f.write(text + "\n")


def number(value):
    return "" if value is None else f"{value:.3g}"


def table(report):
    rows = ["| benchmark | figure | median | min | max | runs | previous | previous/new |",
            "|---|---|---|---|---|---|---|---|"]
    for name, figures in report["benchmarks"].items():
        if name == "results":
            if isinstance(figures, dict) and "error" in figures:
                rows.append(f"| results | error | {figures['error']} | | | |")
                continue
            rows.extend(results_rows(figures))
            continue
        if "error" in figures:
            rows.append(f"| {name} | error | {figures['error']} | | | |")
            continue
        if name == "dashboard":
            label = f"dashboard {figures['tasks']} tasks, {figures['dead_letters']} dead letters"
            for page in ("overview", "dead_letters_page", "tasks_page"):
                p = figures[page]
                rows.append(f"| {label} | {page} ms | {p['median_ms']:.1f} | {p['min_ms']:.1f} | {p['max_ms']:.1f} "
                            f"| {p['runs']} |")
            continue
        if name == "mcp":
            label = f"mcp {figures['sessions']} sessions"
            for tool in ("get_scan_status", "get_scan_results_page1"):
                t = figures[tool]
                rows.append(f"| {label} | {tool} calls/s (p50 {t['p50_ms']:.1f} ms, p99 {t['p99_ms']:.1f} ms) "
                            f"| {t['calls_per_s']:.1f} | | | 1 |")
            rows.append(f"| {label} | get_scan_results page 1, first read (ms) "
                        f"| {figures['get_scan_results_page1']['first_ms']:.0f} | | | 1 |")
            rows.append(f"| mcp {figures['idle_sessions']} idle sessions | RSS MB (KiB per session) "
                        f"| {figures['rss_after_idle_mb']:.1f} ({figures['kib_per_idle_session']:.2f}) | | | 1 |")
            continue
        for key, s in figures.items():
            rows.append(f"| {name} | {key} | {number(s['median'])} | {number(s['min'])} | {number(s['max'])} | {s['runs']} "
                        f"| {number(s.get('previous'))} | {number(s.get('ratio'))} |")
    return rows


if __name__ == "__main__":
    main()
