// Background jobs: housekeeping, stale scans, Nessus cleanup.
#include "worker/maintenance.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errors.hpp"
#include "core/scan_name.hpp"
#include "nessus/run_status.hpp"
#include "telemetry/log.hpp"
#include "worker/task_runner.hpp"

namespace sw::worker {

namespace asio = boost::asio;

namespace {

core::TimePoint::duration as_duration(config::Seconds seconds) {
  return std::chrono::duration_cast<core::TimePoint::duration>(seconds);
}

}  // namespace

asio::awaitable<void> run_housekeeping(Services& s) {
  const auto report = co_await run_on_cpu(
      s, [&] { return s.store.expire(s.clock.now(), s.settings.env.completed_ttl, s.settings.env.failed_ttl); });
  s.metrics.ttl_deleted("completed", static_cast<double>(report.completed), 0);
  s.metrics.ttl_deleted("failed", static_cast<double>(report.failed), 0);
  s.metrics.ttl_deleted("timeout", static_cast<double>(report.timeout), static_cast<double>(report.bytes_freed));
  if (report.deleted() > 0) {
    telemetry::log_info("housekeeping deleted expired task folders", {{"completed", report.completed},
                                                                      {"failed", report.failed},
                                                                      {"timeout", report.timeout},
                                                                      {"bytes_freed", report.bytes_freed}});
  }
}

asio::awaitable<void> run_stale_scan_cleanup(Services& s, std::set<std::string> active_task_ids) {
  store::TaskFilter filter;
  filter.status = core::TaskStatus::running;
  const auto running = co_await run_on_cpu(s, [&] { return s.store.list(filter); });
  const auto cutoff = s.clock.now() - as_duration(s.settings.env.stale_scan_age);
  for (const auto& task : running) {
    if (active_task_ids.contains(task.task_id) || !task.started_at || *task.started_at > cutoff) continue;
    // A task that another live worker runs is that worker's to time out (SCAN_TIMEOUT_SECONDS
    // may well be longer than STALE_SCAN_HOURS): only tasks nobody runs are stale.
    const auto holder =
        co_await s.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { return q.live_holder(task.task_id); });
    if (holder) continue;
    const std::string message = "scan ran longer than STALE_SCAN_HOURS; marked timeout by the stale-scan job";
    try {
      co_await run_on_cpu(s, [&] {
        s.store.update(task.task_id, [&](core::Task& t) {
          t.status = core::TaskStatus::timeout;
          t.completed_at = s.clock.now();
          t.error_message = message;
        });
      });
    } catch (const core::Error& e) {
      continue;  // finished meanwhile
    }
    telemetry::log_warning("stale scan marked timeout", {{"task_id", task.task_id}, {"pool", task.scanner_pool}});
    s.metrics.task_finished(task.scanner_pool, "timeout",
                            core::to_unix_seconds(s.clock.now()) - core::to_unix_seconds(*task.started_at));
    co_await s.ledger.count_finished(task.scanner_pool, "timeout", s.clock.now());
    if (!task.nessus_scan_id || !task.scanner_instance_id) continue;
    const auto client = s.scanners.client(task.scanner_pool, *task.scanner_instance_id);
    if (!client) continue;
    try {
      co_await client->stop_scan(*task.nessus_scan_id);
      if (s.settings.env.stale_scan_delete_from_nessus) {
        // a stopped scan passes through "stopping": the Nessus cleanup job deletes it
        // later if it cannot be deleted yet
        co_await client->delete_scan(*task.nessus_scan_id);
        s.metrics.nessus_scan_deleted(*task.scanner_instance_id, "stale");
      }
    } catch (const core::Error& e) {
      telemetry::log_warning(
          "could not stop or delete a stale scan",
          {{"task_id", task.task_id}, {"nessus_scan_id", *task.nessus_scan_id}, {"error", e.what()}});
    }
  }
}

asio::awaitable<void> run_nessus_cleanup(Services& s) {
  const auto retention = static_cast<std::int64_t>(s.settings.env.nessus_scan_retention.count());
  const auto now = static_cast<std::int64_t>(core::to_unix_seconds(s.clock.now()));
  for (const auto& [scanner, client] : s.scanners.all()) {
    std::vector<nessus::ScanListEntry> scans;
    try {
      scans = co_await client->list_scans();
    } catch (const core::Error& e) {
      telemetry::log_warning("nessus cleanup could not list scans",
                             {{"scanner", scanner.instance_id}, {"error", e.what()}});
      continue;
    }
    for (const auto& scan : scans) {
      const auto task_id = core::task_id_from_scan_name(scan.name);
      if (!task_id || !nessus::is_finished(nessus::parse_run_status(scan.status)) ||
          now - scan.last_modification_date < retention)
        continue;
      // Only scans this system created: the task must exist and name this very scan.
      const auto task = co_await run_on_cpu(s, [&] { return s.store.read(*task_id); });
      if (!task || task->nessus_scan_id != scan.id || !core::is_terminal(task->status)) continue;
      try {
        co_await client->delete_scan(scan.id);
        s.metrics.nessus_scan_deleted(scanner.instance_id, "retention");
        telemetry::log_info("deleted a finished scan from Nessus",
                            {{"scanner", scanner.instance_id}, {"nessus_scan_id", scan.id}, {"task_id", *task_id}});
      } catch (const core::Error& e) {
        telemetry::log_warning("could not delete a finished scan",
                               {{"scanner", scanner.instance_id}, {"nessus_scan_id", scan.id}, {"error", e.what()}});
      }
    }
  }
}

asio::awaitable<void> record_poison_tasks(Services& s, const std::vector<queue::PoisonTask>& poisoned) {
  for (const auto& poison : poisoned) {
    s.metrics.task_dead_lettered(poison.pool, "poison");
    co_await s.ledger.count_finished(poison.pool, "failed", s.clock.now());
    if (!poison.task_id) continue;
    const std::string& task_id = *poison.task_id;
    try {
      co_await run_on_cpu(s, [&] {
        const auto existing = s.store.read(task_id);
        if (!existing || core::is_terminal(existing->status)) return;
        s.store.update(task_id, [&](core::Task& task) {
          task.status = core::TaskStatus::failed;
          task.completed_at = s.clock.now();
          task.error_message = poison.reason;
        });
      });
    } catch (const std::exception& e) {  // a file error must not stop the heartbeat loop
      telemetry::log_warning("could not record the poison task in its task.json",
                             {{"task_id", task_id}, {"error", e.what()}});
    }
  }
}

}  // namespace sw::worker
