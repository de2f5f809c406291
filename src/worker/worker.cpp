// The worker's loops and the supervision of its tasks.
#include "worker/worker.hpp"

#include <malloc.h>
#include <unistd.h>
#include <algorithm>

#include "telemetry/log.hpp"
#include "worker/maintenance.hpp"

namespace sw::worker {

namespace asio = boost::asio;

Worker::Worker(Services& services, std::vector<std::string> pools)
    : s_(services),
      pools_(std::move(pools)),
      stopping_(services.executor),
      loops_(services.executor, "background loop"),
      tasks_(services.executor, "task (it stays in flight for recovery)"),
      health_checks_(services.executor, "scanner health check"),
      started_at_(services.clock.now()) {
  const queue::RedisOptions options = queue::redis_options(s_.settings.env);
  queue::QueueSettings settings{s_.settings.env.worker_id, to_millis(s_.settings.env.heartbeat_ttl),
                                s_.settings.env.max_deliveries};
  for (const auto& pool : pools_) {
    fetch_lanes_.emplace(pool, std::make_unique<RedisLane>(options, settings));
  }
  control_lane_ = std::make_unique<RedisLane>(options, settings);
}

asio::awaitable<bool> Worker::sleep(std::chrono::milliseconds duration) {
  const bool stopping = co_await stopping_.wait_for(duration);
  co_return !stopping;
}

void Worker::start_task(const std::string& pool, std::string raw) {
  auto task = std::make_shared<ActiveTask>(s_.executor, QueueEntry{pool, std::move(raw)});
  active_.emplace(task.get(), task);
  // The log context of an escaped error keeps the task alive until the group has logged it.
  tasks_.spawn(hold(*task), [task] { return nlohmann::json{{"task_id", task->task_id}, {"pool", task->entry.pool}}; });
}

// A held task from start to end; it leaves active_ when its run ends, however it ends.
asio::awaitable<void> Worker::hold(ActiveTask& task) {
  struct Forget {
    Worker& worker;
    ActiveTask& task;
    ~Forget() {
      worker.memory_to_return_ = true;
      worker.active_.erase(&task);
    }
  } forget{*this, task};
  const TaskEnd end = co_await supervise(task);
  if (end == TaskEnd::deferred) deferred_at_[task.entry.pool] = std::chrono::steady_clock::now();
}

bool Worker::holds(const std::string& raw) const {
  for (const auto& [key, task] : active_) {
    if (task->entry.raw == raw) return true;
  }
  return false;
}

// Runs a task; when Redis fails it waits and runs the task again from its records
// (every step is safe to repeat). During shutdown with Redis down it gives up: the task
// stays in this worker's in-flight list and the reaper returns it later.
asio::awaitable<TaskEnd> Worker::supervise(ActiveTask& task) {
  while (true) {
    try {
      co_return co_await run_task(s_, task);
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::redis) throw;
      telemetry::log_warning("redis failed during a task; retrying it",
                             {{"task_id", task.task_id}, {"pool", task.entry.pool}, {"error", e.what()}});
    }
    if (task.handback_requested) co_return TaskEnd::handed_back;
    task.wake.reset();
    co_await task.wake.wait_for(std::chrono::seconds(1));
  }
}

std::size_t Worker::unleased_tasks(const std::string& pool) const {
  std::size_t count = 0;
  for (const auto& [key, task] : active_) {
    if (task->entry.pool == pool && !task->scanner) ++count;
  }
  return count;
}

// At most this many tasks are taken in one fetch: a full queue starts its tasks in steps.
constexpr int kMaxFetchBatch = 64;

// Fetches while the pool has room. After a Redis failure it also takes up what its own
// in-flight list holds that it does not know: a fetch whose reply was lost.
asio::awaitable<void> Worker::fetch_loop(std::string pool) {
  RedisLane& lane = *fetch_lanes_.at(pool);
  bool warned = false;
  bool resync = false;
  while (!stopping_.is_set()) {
    try {
      if (resync) {
        auto held = co_await lane.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.in_flight(pool); });
        for (auto& raw : held) {
          if (!holds(raw)) start_task(pool, std::move(raw));
        }
        resync = false;
      }
      const auto deferred = deferred_at_.find(pool);
      if (deferred != deferred_at_.end() &&
          std::chrono::steady_clock::now() - deferred->second < s_.settings.lease_retry) {
        if (!co_await sleep(s_.settings.lease_retry)) break;
      }
      const auto slots = s_.scanners.slots(pool);
      const int capacity = s_.scanners.pool_capacity(pool);
      const auto loads = co_await s_.redis.run(
          [&](queue::TaskQueue&, queue::CapacityLeases& leases) { return leases.load(pool, slots); });
      int active = 0;
      for (const auto& load : loads) active += load.active;
      const int room = capacity - active - static_cast<int>(unleased_tasks(pool));
      if (room <= 0) {
        // A task whose worker died still holds its lease (counted in `active`) until that
        // expires; it re-attaches to its running scan without new room, so it is taken now.
        std::vector<std::string> instance_ids;
        for (const auto& slot : slots) instance_ids.push_back(slot.instance_id);
        auto leased = co_await lane.run(
            [&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.fetch_leased(pool, instance_ids); });
        if (leased) {
          start_task(pool, std::move(*leased));
          continue;
        }
        if (!co_await sleep(s_.settings.lease_retry)) break;
        continue;
      }
      // What waits is taken in one trip, as much as there is room for; an empty queue is
      // waited on (BLMOVE) for one task.
      const auto batch = static_cast<std::size_t>(std::min(room, kMaxFetchBatch));
      std::vector<std::string> fetched =
          co_await lane.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.fetch_many(pool, batch); });
      if (fetched.empty()) {
        auto raw = co_await lane.run(
            [&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.fetch(pool, s_.settings.fetch_block); });
        if (raw) fetched.push_back(std::move(*raw));
      }
      redis_ok_ = true;
      warned = false;
      for (auto& raw : fetched) start_task(pool, std::move(raw));
      continue;
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::redis) throw;
      redis_ok_ = false;
      resync = true;
      if (!warned) {
        telemetry::log_warning("cannot fetch tasks: redis unavailable", {{"pool", pool}, {"error", e.what()}});
        warned = true;
      }
    }
    if (!co_await sleep(std::chrono::seconds(1))) break;
  }
}

nlohmann::json Worker::heartbeat_info() const {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return {{"worker_id", s_.settings.env.worker_id},
          {"host", host},
          {"pid", static_cast<long>(getpid())},
          {"pools", pools_},
          {"started_at", core::format_iso(started_at_)},
          {"active_tasks", active_.size()},
          {"heartbeat_at", core::format_iso(s_.clock.now())}};
}

// How long after its own Redis outage a worker waits before it takes any other worker for
// dead: the longest reconnect backoff of the others (RedisOptions::reconnect_max_backoff).
const std::chrono::milliseconds kReapGraceAfterOutage = queue::RedisOptions{}.reconnect_max_backoff;

asio::awaitable<void> Worker::heartbeat_loop() {
  const auto ttl = to_millis(s_.settings.env.heartbeat_ttl);
  const auto beat = std::max(std::chrono::milliseconds(50), ttl / 3);
  auto next_reap = std::chrono::steady_clock::now();
  do {
    try {
      const nlohmann::json info = heartbeat_info();
      co_await control_lane_->run([&](queue::TaskQueue& q, queue::CapacityLeases&) { q.heartbeat(info); });
      redis_ok_ = true;
      if (std::chrono::steady_clock::now() >= next_reap) {
        next_reap = std::chrono::steady_clock::now() + ttl;
        const auto report = co_await control_lane_->run(
            [&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.reap_dead_workers(pools_); });
        if (report.requeued > 0 || !report.dead_lettered.empty()) {
          telemetry::log_warning("recovered the tasks of dead workers", {{"requeued", report.requeued},
                                                                         {"dead_lettered", report.dead_lettered.size()},
                                                                         {"dead_workers", report.dead_workers}});
        }
        co_await record_poison_tasks(s_, report.dead_lettered);
      }
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::redis) throw;
      redis_ok_ = false;
      // Every heartbeat key may have lapsed during the outage, and the other workers may
      // still be waiting out their reconnect backoff: reaping at once would take their
      // running tasks from them and run those twice.
      next_reap = std::chrono::steady_clock::now() + kReapGraceAfterOutage + 2 * ttl;
      telemetry::log_warning("heartbeat failed: redis unavailable", {{"error", e.what()}});
    }
  } while (co_await sleep(beat));
}

asio::awaitable<void> Worker::lease_renew_loop() {
  const auto every = std::max(std::chrono::milliseconds(50), s_.settings.lease_ttl / 3);
  while (co_await sleep(every)) {
    std::vector<queue::HeldLease> leases;
    for (const auto& [key, task] : active_) {
      if (task->scanner) leases.push_back({task->entry.pool, *task->scanner, task->task_id});
    }
    if (leases.empty()) continue;
    std::map<std::string, std::vector<queue::ScannerSlot>> slots_by_pool;
    for (const auto& pool : pools_) slots_by_pool[pool] = s_.scanners.slots(pool);
    try {
      // One script call renews them all; the few that had expired are taken again.
      co_await control_lane_->run([&](queue::TaskQueue&, queue::CapacityLeases& capacity) {
        const std::vector<bool> renewed = capacity.renew(leases, s_.settings.lease_ttl);
        for (std::size_t i = 0; i < leases.size(); ++i) {
          if (renewed[i]) continue;
          const auto& [pool, scanner, task_id] = leases[i];
          telemetry::log_warning("lease had expired; taking it again",
                                 {{"pool", pool}, {"scanner", scanner}, {"task_id", task_id}});
          capacity.acquire(pool, slots_by_pool.at(pool), task_id, s_.settings.lease_ttl, scanner);
        }
      });
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::redis) throw;
      telemetry::log_warning("lease renewal failed: redis unavailable", {{"error", e.what()}});
    }
  }
}

// How often at most the metrics loop returns freed heap memory to the system.
constexpr std::chrono::seconds kTrimInterval{10};

asio::awaitable<void> Worker::metrics_loop() {
  do {
    for (const auto& pool : pools_) {
      try {
        const auto slots = s_.scanners.slots(pool);
        auto [stats, loads] = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases& leases) {
          return std::make_pair(q.stats(pool, 0), leases.load(pool, slots));
        });
        s_.metrics.set_queue_depth(pool, static_cast<double>(stats.depth));
        s_.metrics.set_dlq_depth(pool, static_cast<double>(stats.dead_letters));
        double active = 0, capacity = 0;
        for (const auto& load : loads) {
          s_.metrics.set_scanner_load(pool, load.instance_id, load.active, load.limit);
          active += load.active;
          capacity += load.limit;
        }
        s_.metrics.set_pool_load(pool, active, capacity);
        double mine = 0;
        for (const auto& [key, task] : active_) mine += task->entry.pool == pool ? 1 : 0;
        s_.metrics.set_in_flight(pool, mine);
      } catch (const core::Error& e) {
        if (e.kind() != core::ErrorKind::redis) throw;  // the heartbeat loop reports Redis outages
      }
    }
    // A big task (a huge target list, large scan details) leaves freed heap pages that
    // glibc keeps; give them back to the system once tasks have ended. Not more often than
    // kTrimInterval: each trim walks the heap and the pages it returns fault back in as
    // soon as tasks allocate again (under a burst of tasks it cost 4 % of the worker's CPU).
    const auto now = std::chrono::steady_clock::now();
    if (memory_to_return_ && now - last_trim_ >= kTrimInterval) {
      malloc_trim(0);
      memory_to_return_ = false;
      last_trim_ = now;
    }
  } while (co_await sleep(
      std::clamp(s_.settings.poll_interval, std::chrono::milliseconds(200), std::chrono::milliseconds(5000))));
}

asio::awaitable<void> Worker::maintenance_loop() {
  const auto every = std::max(std::chrono::milliseconds(100), to_millis(s_.settings.env.housekeeping_interval));
  do {
    try {
      if (s_.settings.env.housekeeping_enabled) co_await run_housekeeping(s_);
      if (s_.settings.env.stale_scan_cleanup_enabled) {
        std::set<std::string> mine;
        for (const auto& [key, task] : active_) mine.insert(task->task_id);
        co_await run_stale_scan_cleanup(s_, std::move(mine));
      }
      if (s_.settings.env.nessus_scan_cleanup_enabled) co_await run_nessus_cleanup(s_);
    } catch (const std::exception& e) {
      telemetry::log_error("background job failed", {{"error", e.what()}});
    }
  } while (co_await sleep(every));
}

// A worker restarted with the same WORKER_ID finds its own in-flight tasks: it resumes them.
asio::awaitable<void> Worker::adopt_own_in_flight() {
  for (const auto& pool : pools_) {
    try {
      auto held = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.in_flight(pool); });
      for (auto& raw : held) {
        telemetry::log_info("resuming a task this worker held before a restart", {{"pool", pool}});
        start_task(pool, std::move(raw));
      }
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::redis) throw;
      telemetry::log_warning("could not read own in-flight tasks", {{"pool", pool}, {"error", e.what()}});
    }
  }
}

// Cancel requests of producers (sw:cancel-requests): read once per interval, passed to the
// tasks this worker holds.
asio::awaitable<void> Worker::cancel_watch_loop() {
  const auto every =
      std::clamp(s_.settings.poll_interval, std::chrono::milliseconds(200), std::chrono::milliseconds(5000));
  while (co_await sleep(every)) {
    if (active_.empty()) continue;
    try {
      const std::set<std::string> requested =
          co_await s_.redis.run([](queue::TaskQueue& q, queue::CapacityLeases&) { return q.cancel_requests(); });
      for (auto& [key, task] : active_) {
        if (!task->cancel_requested && requested.contains(task->task_id)) {
          telemetry::log_info("cancel requested", {{"task_id", task->task_id}, {"pool", task->entry.pool}});
          request_cancel(*task);
        }
      }
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::redis) throw;  // the heartbeat loop reports Redis outages
    }
  }
}

// Each enabled scanner of this worker's pools answers GET /server/status (or not); the
// answer is kept in Redis for operators, so that dashboards never poll the scanners. The
// checks run side by side: an unreachable scanner's timeout delays no other.
asio::awaitable<void> Worker::scanner_health_loop() {
  const auto every = to_millis(s_.settings.env.scanner_health_interval);
  do {
    const auto scanners = s_.scanners.all();
    for (const auto& [scanner, client] : scanners) {
      if (!scanner.enabled || std::find(pools_.begin(), pools_.end(), scanner.pool) == pools_.end()) continue;
      health_checks_.spawn(check_scanner_health(scanner, client), [id = scanner.instance_id] {
        return nlohmann::json{{"scanner", id}};
      });
    }
    co_await health_checks_.join();
  } while (co_await sleep(every));
}

asio::awaitable<void> Worker::check_scanner_health(config::ScannerConfig scanner,
                                                   std::shared_ptr<nessus::ScannerApi> client) {
  queue::ScannerHealth health;
  health.checked_by = s_.settings.env.worker_id;
  try {
    health.status = co_await client->server_status();
    health.reachable = true;
  } catch (const core::Error& e) {
    health.error = e.what();
  }
  health.checked_at = s_.clock.now();
  // Kept for three intervals: a record that lapsed means no worker checks the scanner.
  const auto ttl = 3 * to_millis(s_.settings.env.scanner_health_interval);
  try {
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      q.record_scanner_health(scanner.pool, scanner.instance_id, health, ttl);
    });
  } catch (const core::Error& e) {
    if (e.kind() != core::ErrorKind::redis) throw;  // the heartbeat loop reports Redis outages
  }
}

asio::awaitable<void> Worker::run() {
  co_await adopt_own_in_flight();
  loops_.spawn(heartbeat_loop(), [] { return nlohmann::json{{"loop", "heartbeat"}}; });
  loops_.spawn(lease_renew_loop(), [] { return nlohmann::json{{"loop", "lease-renewal"}}; });
  loops_.spawn(metrics_loop(), [] { return nlohmann::json{{"loop", "metrics"}}; });
  loops_.spawn(maintenance_loop(), [] { return nlohmann::json{{"loop", "maintenance"}}; });
  loops_.spawn(cancel_watch_loop(), [] { return nlohmann::json{{"loop", "cancel-watch"}}; });
  loops_.spawn(scanner_health_loop(), [] { return nlohmann::json{{"loop", "scanner-health"}}; });
  for (const auto& pool : pools_) {
    loops_.spawn(fetch_loop(pool), [pool] { return nlohmann::json{{"loop", "fetch"}, {"pool", pool}}; });
  }
  co_await stopping_.wait();
  telemetry::log_info("shutting down: fetching stopped, waiting for running scans",
                      {{"active_tasks", active_.size()}, {"grace_seconds", s_.settings.env.shutdown_grace.count()}});
  const auto grace_end = std::chrono::steady_clock::now() + to_millis(s_.settings.env.shutdown_grace);
  if (!co_await tasks_.join_until(grace_end)) {
    telemetry::log_info("grace period over: handing running scans back to the queue", {{"tasks", active_.size()}});
    for (auto& [key, task] : active_) request_handback(*task);
    co_await tasks_.join();
  }
  co_await loops_.join();
  try {
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { q.unregister(); });
  } catch (const core::Error& e) {
    telemetry::log_warning("could not unregister the worker", {{"error", e.what()}});
  }
  for (const auto& [config, client] : s_.scanners.all()) {
    try {
      co_await client->logout();
    } catch (const std::exception& e) {
      telemetry::log_debug("logout failed", {{"scanner", config.instance_id}, {"error", e.what()}});
    }
  }
  telemetry::log_info("worker stopped");
}

void Worker::request_shutdown() {
  stopping_.set();
  health_checks_.cancel();  // a scanner that does not answer must not hold up the exit
}

void Worker::reload(config::ScannersConfig config) {
  const std::string change = s_.scanners.apply(std::move(config));
  telemetry::log_info("scanners.yaml reloaded", {{"change", change}});
}

}  // namespace sw::worker
