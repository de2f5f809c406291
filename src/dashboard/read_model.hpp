// What the dashboard shows and does, without HTML: the overview (pools, scanners, workers,
// the last day's outcomes, all from Redis and never from the scanners or the task folders),
// task lists and pages from DATA_DIR, findings pages through the results module, the
// dead-letter queues, and the operators' actions (cancel a task, retry, delete or purge
// dead letters). Blocking: Redis and file I/O. One object per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/scanners.hpp"
#include "core/task.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/task_queue.hpp"
#include "results/filters.hpp"
#include "service/cancellation.hpp"
#include "store/task_store.hpp"

namespace sw::dashboard {

struct ScannerView {
  std::string instance_id;
  std::string name;
  int active = 0;
  int limit = 0;
  std::optional<queue::ScannerHealth> health;  // nullopt: no worker checked it lately
};

struct PoolView {
  std::string name;
  std::size_t queued = 0;
  int running = 0;   // leases held
  int capacity = 0;  // sum of limits
  std::size_t dead_letters = 0;
  std::vector<ScannerView> scanners;
  std::vector<queue::HourlyOutcomes> last_day;  // 24 hours, oldest first
};

struct Overview {
  std::vector<PoolView> pools;
  std::vector<queue::WorkerInfo> workers;
};

struct TaskPage {
  std::vector<core::Task> tasks;           // newest first
  std::map<std::string, double> progress;  // of the running ones whose worker reported it (0-100)
  std::size_t total = 0;
  int page = 1;
  int pages = 1;
};

struct TaskDetail {
  core::Task task;
  std::optional<nlohmann::json> live;  // the scan record while it runs (progress, status)
  bool has_export = false;
};

struct FindingsQuery {
  std::vector<results::Filter> filters;
  int page = 1;
};

struct FindingsPage {
  std::vector<nlohmann::json> findings;
  std::uint64_t total = 0;
  int page = 1;
  int pages = 1;
  std::string error;  // why there are none (no export yet, a damaged export)
};

struct DeadLetterPage {
  std::string pool;
  std::vector<queue::DeadLetter> letters;  // newest first; secrets already redacted in Redis
  std::size_t total = 0;
  int page = 1;
  int pages = 1;
};

inline constexpr int kTasksPerPage = 50;
inline constexpr int kDeadLettersPerPage = 50;
inline constexpr int kFindingsPerPage = 50;

class ReadModel {
 public:
  ReadModel(const queue::RedisOptions& redis, std::filesystem::path data_dir);

  Overview overview(const config::ScannersConfig& scanners);
  TaskPage tasks(const store::TaskFilter& filter, int page);
  // nullopt when there is no such task. Throws core::Error(bad_input) for an invalid id.
  std::optional<TaskDetail> task(const std::string& task_id);
  FindingsPage findings(const std::string& task_id, const FindingsQuery& query);
  DeadLetterPage dead_letters(const std::string& pool, int page);
  std::filesystem::path export_path(const std::string& task_id) const { return store_.export_path(task_id); }

  // service::cancel_task: a queued task leaves its queue and fails, a running one gets a
  // cancel request.
  service::CancelOutcome cancel(const std::string& task_id);
  // service::retry_dead_letters of one task (refused when its task.json has ended).
  std::size_t retry_dead_letter(const std::string& pool, const std::string& task_id);
  std::size_t delete_dead_letter(const std::string& pool, const std::string& task_id);
  std::size_t purge_dead_letters(const std::string& pool);

 private:
  queue::TaskQueue queue_;
  queue::CapacityLeases leases_;
  store::TaskStore store_;
};

}  // namespace sw::dashboard
