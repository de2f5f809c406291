// The scanner-worker daemon's engine: per-pool fetchers with backpressure, the tasks it
// holds, heartbeats and the reaper, lease renewal, metrics refresh, background jobs,
// reload and graceful shutdown. Everything runs as coroutines on one event loop; Redis
// calls run on a fixed set of lanes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "coro/event.hpp"
#include "coro/task_group.hpp"
#include "worker/task_runner.hpp"

namespace sw::worker {

class Worker {
 public:
  Worker(Services& services, std::vector<std::string> pools);

  // Runs until shutdown has completed (tasks finished or handed back).
  boost::asio::awaitable<void> run();

  // First SIGTERM/SIGINT: stop fetching, let scans finish within the grace period,
  // then hand the rest back. Call on the event loop.
  void request_shutdown();

  // SIGHUP: swap in a new scanners.yaml (already parsed and checked).
  void reload(config::ScannersConfig config);

  // For /readyz.
  bool ready() const { return redis_ok_ && !stopping_.is_set(); }
  std::size_t active_tasks() const { return active_.size(); }

 private:
  boost::asio::awaitable<void> fetch_loop(std::string pool);
  boost::asio::awaitable<void> heartbeat_loop();
  boost::asio::awaitable<void> lease_renew_loop();
  boost::asio::awaitable<void> metrics_loop();
  boost::asio::awaitable<void> maintenance_loop();
  boost::asio::awaitable<void> cancel_watch_loop();
  boost::asio::awaitable<void> scanner_health_loop();
  boost::asio::awaitable<void> check_scanner_health(config::ScannerConfig scanner,
                                                    std::shared_ptr<nessus::ScannerApi> client);
  boost::asio::awaitable<void> hold(ActiveTask& task);
  boost::asio::awaitable<TaskEnd> supervise(ActiveTask& task);
  boost::asio::awaitable<void> adopt_own_in_flight();

  void start_task(const std::string& pool, std::string raw);
  // Sleeps, returning false at once (and from then on) when shutdown was requested.
  boost::asio::awaitable<bool> sleep(std::chrono::milliseconds duration);
  std::size_t unleased_tasks(const std::string& pool) const;
  bool holds(const std::string& raw) const;
  nlohmann::json heartbeat_info() const;

  Services& s_;
  std::vector<std::string> pools_;
  std::map<std::string, std::unique_ptr<RedisLane>> fetch_lanes_;  // blocking BLMOVE, one per pool
  // Heartbeats, reaping and lease renewals: never queued behind the tasks' Redis calls, so
  // that a burst of tasks cannot let this worker's heartbeat or its leases expire.
  std::unique_ptr<RedisLane> control_lane_;
  std::map<ActiveTask*, std::shared_ptr<ActiveTask>> active_;
  std::map<std::string, std::chrono::steady_clock::time_point> deferred_at_;  // by pool
  coro::Event stopping_;           // set by request_shutdown: loops end, fetching stops
  coro::TaskGroup loops_;          // the background loops
  coro::TaskGroup tasks_;          // one coroutine per held task (hold)
  coro::TaskGroup health_checks_;  // the scanner health checks under way (cancelled at shutdown)
  bool redis_ok_ = false;
  bool memory_to_return_ = false;  // a task ended since the last malloc_trim
  std::chrono::steady_clock::time_point last_trim_;
  core::TimePoint started_at_;
};

}  // namespace sw::worker
