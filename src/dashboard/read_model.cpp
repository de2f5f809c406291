// The dashboard's reads and actions over Redis, DATA_DIR and the results module.
#include "dashboard/read_model.hpp"

#include <algorithm>
#include <sstream>

#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "core/time.hpp"
#include "results/jsonl_results.hpp"
#include "service/cancellation.hpp"
#include "service/dead_letters.hpp"

namespace sw::dashboard {

namespace {

int pages_for(std::uint64_t total, int per_page) {
  return total == 0 ? 1
                    : static_cast<int>((total + static_cast<std::uint64_t>(per_page) - 1) /
                                       static_cast<std::uint64_t>(per_page));
}

}  // namespace

ReadModel::ReadModel(const queue::RedisOptions& redis, std::filesystem::path data_dir)
    : queue_(redis, queue::QueueSettings{"dashboard"}), leases_(redis), store_(std::move(data_dir)) {}

Overview ReadModel::overview(const config::ScannersConfig& scanners) {
  Overview overview;
  const auto now = core::SystemClock().now();
  for (const auto& [name, pool] : scanners.pools) {
    PoolView view;
    view.name = name;
    const auto stats = queue_.stats(name, 0);
    view.queued = stats.depth;
    view.dead_letters = stats.dead_letters;
    const auto slots = queue::scanner_slots(pool);
    const auto loads = leases_.load(name, slots);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const config::ScannerConfig* scanner = pool.find(slots[i].instance_id);
      ScannerView scanner_view{slots[i].instance_id, scanner ? scanner->name : slots[i].instance_id, loads[i].active,
                               loads[i].limit, queue_.scanner_health(name, slots[i].instance_id)};
      view.running += scanner_view.active;
      view.capacity += scanner_view.limit;
      view.scanners.push_back(std::move(scanner_view));
    }
    view.last_day = queue_.finished_by_hour(name, now, 24);
    overview.pools.push_back(std::move(view));
  }
  overview.workers = queue_.workers();
  return overview;
}

TaskPage ReadModel::tasks(const store::TaskFilter& filter, int page) {
  TaskPage result;
  std::vector<core::Task> all = store_.list(filter);
  result.total = all.size();
  result.pages = pages_for(all.size(), kTasksPerPage);
  result.page = std::clamp(page, 1, result.pages);
  const auto first = static_cast<std::size_t>(result.page - 1) * kTasksPerPage;
  for (std::size_t i = first; i < all.size() && i < first + kTasksPerPage; ++i) {
    if (all[i].status == core::TaskStatus::running) {
      const auto record = queue_.scan_record(all[i].task_id);
      if (record && record->contains("progress") && (*record)["progress"].is_number()) {
        result.progress[all[i].task_id] = (*record)["progress"].get<double>();
      }
    }
    result.tasks.push_back(std::move(all[i]));
  }
  return result;
}

std::optional<TaskDetail> ReadModel::task(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  auto task = store_.read(task_id);
  if (!task) return std::nullopt;
  TaskDetail detail{std::move(*task), std::nullopt, std::filesystem::exists(store_.export_path(task_id))};
  if (detail.task.status == core::TaskStatus::running) detail.live = queue_.scan_record(task_id);
  return detail;
}

FindingsPage ReadModel::findings(const std::string& task_id, const FindingsQuery& query) {
  FindingsPage page;
  const auto file = store_.export_path(task_id);
  if (!std::filesystem::exists(file)) {
    page.error = "no export yet";
    return page;
  }
  results::ResultsQuery results_query;
  results_query.custom_fields = {"host",         "plugin_id",        "plugin_name",       "severity",
                                 "cve",          "cvss3_base_score", "exploit_available", "synopsis",
                                 "plugin_output"};
  results_query.filters = query.filters;
  results_query.page = std::max(query.page, 1);
  results_query.page_size = kFindingsPerPage;
  std::ostringstream lines;
  try {
    results::write_results(file, results_query, lines);
  } catch (const std::exception& e) {
    page.error = e.what();
    return page;
  }
  std::istringstream in(lines.str());
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    const std::string type = record.value("type", "");
    if (type == "vulnerability") {
      record.erase("type");
      page.findings.push_back(std::move(record));
    } else if (type == "schema") {
      page.total = record.value("total_records", std::uint64_t{0});
      page.pages = record.value("total_pages", 1);
    } else if (type == "pagination") {
      page.page = record.value("page", 1);
    }
  }
  return page;
}

DeadLetterPage ReadModel::dead_letters(const std::string& pool, int page) {
  DeadLetterPage result;
  result.pool = pool;
  result.total = queue_.stats(pool, 0).dead_letters;
  result.pages = pages_for(result.total, kDeadLettersPerPage);
  result.page = std::clamp(page, 1, result.pages);
  result.letters =
      queue_.dlq_list(pool, static_cast<std::size_t>(result.page - 1) * kDeadLettersPerPage, kDeadLettersPerPage);
  return result;
}

service::CancelOutcome ReadModel::cancel(const std::string& task_id) {
  return service::cancel_task(store_, queue_, task_id).outcome;
}

std::size_t ReadModel::retry_dead_letter(const std::string& pool, const std::string& task_id) {
  return service::retry_dead_letters(queue_, store_, pool, task_id).retried;
}

std::size_t ReadModel::delete_dead_letter(const std::string& pool, const std::string& task_id) {
  return queue_.dlq_delete(pool, task_id);
}

std::size_t ReadModel::purge_dead_letters(const std::string& pool) { return queue_.dlq_purge(pool, std::nullopt); }

}  // namespace sw::dashboard
