// The inside of one task run (run_task in task_runner.hpp): a TaskRun object walks the steps
// of docs/worker-walkthrough.md. Its steps live in two files: task_runner.cpp (intake and
// the end: parse, claim, records, lease, running, finish, hand back) and task_scan.cpp (the
// Nessus scan: create, launch, poll, stop, export, validate). Private to the worker module.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/task.hpp"
#include "core/task_message.hpp"
#include "nessus/scanner_api.hpp"
#include "queue/scan_record.hpp"
#include "results/validator.hpp"
#include "worker/services.hpp"
#include "worker/task_runner.hpp"

namespace sw::worker {

// What finishing a task records.
struct Outcome {
  core::TaskStatus status = core::TaskStatus::failed;
  std::string error;             // for failed and timeout
  std::string reason = "other";  // metric label / DLQ kind
  std::optional<results::ValidationResult> validation;
  bool dead_letter = true;  // a failure goes to the DLQ (not a cancel asked for by a person)
};

// Shutdown asked for the task back before it ended.
struct HandBackNow {};

// Where the scan part of a run ended: an outcome to record, or a hand-back.
using Verdict = std::variant<Outcome, HandBackNow>;

class TaskRun {
 public:
  TaskRun(Services& services, ActiveTask& task) : s_(services), t_(task) {}
  TaskRun(const TaskRun&) = delete;
  TaskRun& operator=(const TaskRun&) = delete;
  ~TaskRun();

  boost::asio::awaitable<TaskEnd> run();

 private:
  // task_runner.cpp: intake. Each returns the end of the run when it ends here, nullopt to go on.
  boost::asio::awaitable<std::optional<TaskEnd>> parse();
  boost::asio::awaitable<std::optional<std::string>> fail_queued_task_file(const std::optional<std::string>& task_id,
                                                                           const std::string& error);
  boost::asio::awaitable<std::optional<TaskEnd>> claim();
  boost::asio::awaitable<std::optional<TaskEnd>> prepare_record();
  boost::asio::awaitable<TaskEnd> settle_finished_task(const core::Task& existing,
                                                       const std::optional<std::string>& record_text);
  boost::asio::awaitable<std::optional<TaskEnd>> lease_scanner();
  boost::asio::awaitable<std::optional<TaskEnd>> mark_running();
  boost::asio::awaitable<core::Task> change_task_file(const std::function<void(core::Task&)>& change);

  // task_runner.cpp: the end.
  boost::asio::awaitable<TaskEnd> conclude(const Verdict& verdict);
  boost::asio::awaitable<TaskEnd> finish(const Outcome& outcome);
  boost::asio::awaitable<bool> still_owner();
  boost::asio::awaitable<void> record_end(const Outcome& outcome, core::TimePoint now);
  boost::asio::awaitable<void> release_lease();
  boost::asio::awaitable<TaskEnd> hand_back();

  // task_scan.cpp: the Nessus scan. nullopt from a step: the task was interrupted.
  boost::asio::awaitable<Verdict> run_scan();
  boost::asio::awaitable<Verdict> interruption();
  boost::asio::awaitable<bool> ensure_scan();
  boost::asio::awaitable<bool> ensure_launched();
  boost::asio::awaitable<std::optional<Outcome>> poll_until_done();
  boost::asio::awaitable<Outcome> stop_scan_for(const Outcome& outcome);
  boost::asio::awaitable<std::optional<Outcome>> export_and_validate();
  boost::asio::awaitable<void> save_record();

  // A record of a scan created by an earlier owner or attempt: follow that scan.
  bool reattaching() const { return record_ && record_->scan_id; }
  nlohmann::json ctx(const nlohmann::json& more = nlohmann::json::object()) const;
  const std::string& scanner_name() const;

  Services& s_;
  ActiveTask& t_;
  std::optional<core::TaskMessage> message_;
  std::optional<core::Task> task_;
  queue::TaskIntake intake_;  // read with the claim
  std::optional<queue::ScanRecord> record_;
  bool holds_task_id_ = false;  // this run put the task id in running_task_ids
  std::shared_ptr<nessus::ScannerApi> client_;
  std::int64_t scan_id_ = 0;
  std::string run_uuid_;
  bool resumed_ = false;  // task.json said running: a previous owner may have created the scan
  bool task_file_exists_ = false;  // read or written by this run (change_task_file)
};

}  // namespace sw::worker
