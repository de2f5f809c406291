// What the worker's parts share: settings derived from the environment and references to
// the long-lived services (Redis lanes, task store, scanners, scan listings, metrics, clock,
// CPU pool).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "config/environment.hpp"
#include "core/time.hpp"
#include "store/task_store.hpp"
#include "telemetry/metrics.hpp"
#include "worker/redis_lanes.hpp"
#include "worker/scan_listings.hpp"
#include "worker/scanner_registry.hpp"
#include "worker/task_ledger.hpp"

namespace sw::worker {

struct WorkerSettings {
  config::Environment env;
  std::chrono::milliseconds poll_interval{30000};
  std::chrono::milliseconds lease_ttl{90000};          // 3 x heartbeat TTL: outlives a reap
  std::chrono::milliseconds lease_retry{1000};         // how often a waiting task retries its lease
  std::chrono::milliseconds transient_budget{300000};  // retries of transient Nessus errors per step
  std::chrono::milliseconds fetch_block{1000};         // BLMOVE timeout: how fast fetchers see a stop
  std::uint64_t max_export_bytes = 8ULL << 30;
  // How long a task id's claim lives when nothing releases it (a worker that died and was
  // never reaped): longer than any scan may run.
  std::chrono::milliseconds claim_ttl{7 * 24 * 3600 * 1000LL};
};

WorkerSettings make_settings(const config::Environment& env);

std::chrono::milliseconds to_millis(config::Seconds seconds);

struct Services {
  boost::asio::any_io_executor executor;  // the event loop every scan runs on
  RedisLanes& redis;                      // the worker's own Redis work (fetching, heartbeats, metrics, jobs)
  TaskLedger& ledger;                     // a task run's Redis work: claims, leases, records, leaving the queue
  store::TaskStore& store;
  ScannerRegistry& scanners;
  ScanListings& listings;  // batched status polls, one listing per scanner and interval
  telemetry::Metrics& metrics;
  const core::Clock& clock;
  boost::asio::thread_pool& cpu;  // file-heavy work: task.json, validation, housekeeping
  // Export downloads' writes and fsync, each on a strand of its own: no thread per download,
  // and a long fsync of a large export never holds up a task.json write on `cpu`.
  boost::asio::thread_pool& export_writes;
  const WorkerSettings& settings;
  std::set<std::string>& running_task_ids;  // one running task per id in this worker
};

// Runs f() on the CPU pool (file and parsing work that would stall the event loop) and
// resumes the caller on its own executor. Work and awaitable are named locals: GCC 12
// destroys temporaries of a co_await full-expression twice.
template <typename F>
auto run_on_cpu(Services& services, F f) -> boost::asio::awaitable<decltype(f())> {
  auto work = [&f]() -> boost::asio::awaitable<decltype(f())> { co_return f(); };
  auto spawned = boost::asio::co_spawn(services.cpu, std::move(work), boost::asio::use_awaitable);
  co_return co_await std::move(spawned);
}

}  // namespace sw::worker
