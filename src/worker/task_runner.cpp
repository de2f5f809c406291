// The task's life from a queue entry to a terminal task.json: intake (parse, claim,
// records, lease, running) and the end (finish, dead letter, hand back). The Nessus part is
// in task_scan.cpp; the walk-through is docs/worker-walkthrough.md.
#include "worker/task_runner.hpp"

#include "core/errors.hpp"
#include "telemetry/log.hpp"
#include "worker/task_run.hpp"
#include "worker/task_steps.hpp"

namespace sw::worker {

namespace asio = boost::asio;
using core::Error;
using core::ErrorKind;
using core::TaskStatus;

TaskRun::~TaskRun() {
  if (holds_task_id_) s_.running_task_ids.erase(t_.task_id);
}

nlohmann::json TaskRun::ctx(const nlohmann::json& more) const {
  return with_fields(context_of(t_, message_ ? &*message_ : nullptr), more);
}

const std::string& TaskRun::scanner_name() const {
  static const std::string kUnknown = "?";
  return t_.scanner ? *t_.scanner : kUnknown;
}

asio::awaitable<TaskEnd> TaskRun::run() {
  if (const auto end = co_await parse()) co_return *end;
  if (const auto end = co_await claim()) co_return *end;
  std::optional<Verdict> verdict;
  try {
    if (const auto end = co_await prepare_record()) co_return *end;
    if (const auto end = co_await lease_scanner()) co_return *end;
    if (const auto end = co_await mark_running()) co_return *end;
    verdict = co_await run_scan();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::redis) throw;
    verdict = Outcome{TaskStatus::failed, actionable(e, scanner_name()), std::string(core::to_string(e.kind())), {}};
  }
  co_return co_await conclude(*verdict);
}

// 2. Parse and check; bad input goes to the DLQ with the raw text and a reason. An entry
// over MAX_TASK_BYTES is not parsed at all: its first KiB and its size are kept.
asio::awaitable<std::optional<TaskEnd>> TaskRun::parse() {
  constexpr std::size_t kKeptBytesOfOversized = 1024;
  const std::string& raw = t_.entry.raw;
  const bool oversized = raw.size() > s_.settings.env.max_task_bytes;
  std::string reason;
  if (oversized) {
    reason = "task message too large: " + std::to_string(raw.size()) +
             " bytes, more than MAX_TASK_BYTES=" + std::to_string(s_.settings.env.max_task_bytes);
  } else {
    try {
      message_ = core::parse_task_message(raw, t_.entry.pool);
      t_.task_id = message_->task_id;
      co_return std::nullopt;
    } catch (const Error& e) {
      reason = e.what();
    }
  }
  const std::string error = "malformed task: " + reason;
  telemetry::log_error("malformed task sent to the dead-letter queue", ctx({{"reason", reason}}));
  // The id is looked for in the whole entry (a streaming read, no document): a producer
  // may put task_id after a huge payload.
  const std::optional<std::string> task_id = core::task_id_of_entry(raw);
  const std::optional<std::string> failed_task = co_await fail_queued_task_file(task_id, error);
  if (oversized) {
    co_await s_.ledger.dead_letter_oversized(t_.entry, error, kKeptBytesOfOversized, failed_task);
  } else {
    const nlohmann::json no_extra = nlohmann::json::object();
    co_await s_.ledger.dead_letter(t_.entry, error, no_extra, failed_task);
  }
  s_.metrics.task_dead_lettered(t_.entry.pool, "bad_input");
  co_return TaskEnd::finished;
}

// A malformed entry that names a task whose task.json is still `queued` (the producer
// wrote it) fails that task with the same reason, so that the task file and the DLQ
// agree. Only when no one else runs the task: the claim is taken first. Returns the task
// id when task.json was failed (its claim is then released with the DLQ entry), nullopt
// otherwise (a claim taken here is released at once).
asio::awaitable<std::optional<std::string>> TaskRun::fail_queued_task_file(const std::optional<std::string>& task_id,
                                                                           const std::string& error) {
  if (!task_id || s_.running_task_ids.contains(*task_id)) co_return std::nullopt;
  const queue::TaskClaim claim = co_await s_.ledger.claim(*task_id);
  if (!claim.ours()) co_return std::nullopt;
  bool failed = false;
  try {
    failed = co_await run_on_cpu(s_, [&] {
      const auto existing = s_.store.read(*task_id);
      if (!existing || existing->status != TaskStatus::queued) return false;
      s_.store.update(*task_id, [&](core::Task& task) {
        task.status = TaskStatus::failed;
        task.completed_at = s_.clock.now();
        task.error_message = error;
      });
      return true;
    });
  } catch (const Error& e) {
    telemetry::log_warning("could not record the malformed task in its task.json",
                           ctx({{"task_id", *task_id}, {"error", e.what()}}));
  }
  if (failed) co_return task_id;
  co_await s_.ledger.release_claim(*task_id);
  co_return std::nullopt;
}

// 2b. One owner per task id, whatever number of queue entries carry it: the claim is
// taken before anything of the task is created. A repeated delivery of a task that runs
// elsewhere (or already in this worker) leaves the queue without touching its files.
asio::awaitable<std::optional<TaskEnd>> TaskRun::claim() {
  std::string holder = s_.settings.env.worker_id;
  if (!s_.running_task_ids.contains(t_.task_id)) {
    s_.running_task_ids.insert(t_.task_id);
    holds_task_id_ = true;
    const RunClaim run = co_await s_.ledger.claim_to_run(t_.task_id);
    if (run.claim.result == queue::TaskClaim::Result::taken_over) {
      telemetry::log_info("took over the claim of a worker that died", ctx({{"previous_worker", run.claim.holder}}));
    }
    if (run.claim.ours()) {
      intake_ = run.intake;
      co_return std::nullopt;
    }
    holder = run.claim.holder;
  }
  telemetry::log_warning("task already running on another owner; dropping this repeated delivery",
                         ctx({{"running_on", holder}}));
  co_await s_.ledger.discard(t_.entry);
  co_return TaskEnd::dropped;
}

// The task is not finished; its task.json and Redis records are read. A task queued by
// LPUSH alone has no task.json yet: change_task_file writes it at its first change. A
// damaged re-attach record fails the task (once: the DLQ step deletes the record).
asio::awaitable<std::optional<TaskEnd>> TaskRun::prepare_record() {
  const auto existing = co_await run_on_cpu(s_, [&] { return s_.store.read(t_.task_id); });
  task_file_exists_ = existing.has_value();
  if (existing && core::is_terminal(existing->status)) {
    co_return co_await settle_finished_task(*existing, intake_.scan_record_text);
  }
  if (existing) {
    task_ = *existing;
    resumed_ = existing->status == TaskStatus::running;
  }
  if (intake_.cancel_requested) t_.cancel_requested = true;
  if (intake_.scan_record_text) {
    record_ = queue::parse_scan_record(*intake_.scan_record_text, t_.task_id,
                                       task_ ? task_->nessus_scan_id : std::nullopt);
  } else if (task_ && task_->nessus_scan_id && task_->scanner_instance_id) {
    record_ = queue::ScanRecord::of_scan(t_.task_id, *task_->scanner_instance_id, *task_->nessus_scan_id);
  }
  co_return std::nullopt;
}

// A delivery of a task whose task.json is final. When its owner stopped between the
// final task.json and the dead-letter queue (the record keeps the failure being
// recorded), the DLQ entry is written now; otherwise it is a repeat and is dropped.
asio::awaitable<TaskEnd> TaskRun::settle_finished_task(const core::Task& existing,
                                                       const std::optional<std::string>& text) {
  std::optional<queue::ScanRecord::Finishing> finishing;
  if (text && existing.status != TaskStatus::completed) {
    try {
      finishing = queue::parse_scan_record(*text, t_.task_id, existing.nessus_scan_id).finishing;
    } catch (const Error& e) {
      telemetry::log_warning("ignoring the damaged record of a finished task", ctx({{"error", e.what()}}));
    }
  }
  co_await release_lease();  // held when Redis failed while the task was finishing
  if (finishing) {
    telemetry::log_warning("writing the dead letter of a task whose owner stopped while failing it",
                           ctx({{"status", core::to_string(existing.status)}, {"error", finishing->error}}));
    const nlohmann::json no_extra = nlohmann::json::object();
    const std::optional<std::string> task_id = t_.task_id;
    co_await s_.ledger.dead_letter(t_.entry, finishing->error, no_extra, task_id);
    s_.metrics.task_dead_lettered(t_.entry.pool, finishing->reason);
  } else {
    telemetry::log_warning("task already finished; dropping the repeated delivery",
                           ctx({{"status", core::to_string(existing.status)}}));
    const std::optional<std::string> task_id = t_.task_id;
    co_await s_.ledger.acknowledge(t_.entry, task_id);
  }
  co_return TaskEnd::finished;
}

// 3. A lease on the pinned scanner (or the one the scan already runs on), else the
// least loaded; waits while none has room. A task pinned by its producer to a busy
// scanner goes to the back of the queue instead, so that it blocks no other task.
asio::awaitable<std::optional<TaskEnd>> TaskRun::lease_scanner() {
  const std::string& pool = t_.entry.pool;
  std::optional<std::string> pinned = message_->scanner_instance_id;
  if (reattaching()) pinned = record_->scanner;
  if (pinned && !s_.scanners.client(pool, *pinned)) {
    throw Error(ErrorKind::bad_input, "scanner '" + *pinned + "' is not configured in pool '" + pool +
                                          "' (scanners.yaml); submit the task to a configured scanner");
  }
  if (s_.scanners.slots(pool).empty()) {
    throw Error(ErrorKind::bad_input, "pool '" + pool + "' has no enabled scanner in scanners.yaml");
  }
  bool logged_wait = false;
  while (true) {
    const std::vector<queue::ScannerSlot> slots = s_.scanners.slots(pool);
    std::optional<std::string> leased = co_await s_.ledger.acquire_lease(pool, t_.task_id, slots, pinned);
    if (leased) {
      t_.scanner = std::move(leased);
      co_return std::nullopt;
    }
    // A task that waits is seen waiting: its task.json says `queued`.
    const std::function<void(core::Task&)> unchanged = [](core::Task&) {};
    if (!task_file_exists_) task_ = co_await change_task_file(unchanged);
    if (pinned && !reattaching()) {
      co_await s_.ledger.defer(t_.entry, t_.task_id);
      telemetry::log_debug("pinned scanner busy; task moved to the back of the queue", ctx({{"pinned", *pinned}}));
      co_return TaskEnd::deferred;
    }
    if (!logged_wait) {
      telemetry::log_info("waiting for scanner capacity", ctx({{"pinned", pinned.value_or("")}}));
      logged_wait = true;
    }
    // Interrupted while waiting: no lease is held yet; the scan steps decide what follows.
    if (!co_await pause(t_, s_.settings.lease_retry)) co_return std::nullopt;
  }
}

// 4. queued -> running (running -> running when re-attaching).
asio::awaitable<std::optional<TaskEnd>> TaskRun::mark_running() {
  if (!t_.scanner) co_return std::nullopt;  // interrupted before a lease: nothing to mark
  std::string refusal;
  const std::function<void(core::Task&)> to_running = [&](core::Task& task) {
    task.status = TaskStatus::running;
    if (!task.started_at) task.started_at = s_.clock.now();
    task.scanner_instance_id = *t_.scanner;
  };
  try {
    task_ = co_await change_task_file(to_running);
  } catch (const Error& e) {
    refusal = e.what();
  }
  if (!refusal.empty()) {
    telemetry::log_warning("task cannot run; acknowledging it", ctx({{"reason", refusal}}));
    co_await release_lease();
    const std::optional<std::string> no_task_id;  // the claim and record stay: task.json refused the run
    co_await s_.ledger.acknowledge(t_.entry, no_task_id);
    co_return TaskEnd::finished;
  }
  client_ = s_.scanners.client(t_.entry.pool, *t_.scanner);
  telemetry::log_info(reattaching() ? "re-attaching task" : "task running", ctx());
  co_return std::nullopt;
}

// task.json after `change`, on the file threads. Without one (the producer wrote none and
// the task has not changed yet) it is created from the message with the change applied: a
// task that gets a scanner at once is written `running` first, never `queued`.
asio::awaitable<core::Task> TaskRun::change_task_file(const std::function<void(core::Task&)>& change) {
  core::Task changed = co_await run_on_cpu(s_, [&] {
    if (!task_file_exists_) {
      core::Task task = core::task_from_message(*message_, s_.clock.now());
      change(task);
      if (s_.store.create(task)) return task;  // else someone wrote one meanwhile: change it
    }
    return s_.store.update(t_.task_id, change);
  });
  task_file_exists_ = true;
  co_return changed;
}

asio::awaitable<TaskEnd> TaskRun::conclude(const Verdict& verdict) {
  if (std::holds_alternative<HandBackNow>(verdict)) co_return co_await hand_back();
  co_return co_await finish(std::get<Outcome>(verdict));
}

// 9-10. Record the terminal state, dead-letter failures, release, acknowledge. A failure
// is first noted in the Redis record: an owner that stops between the final task.json
// and the DLQ entry leaves the next owner what it needs to write the entry
// (settle_finished_task). The DLQ and acknowledge steps delete the record and release
// the claim atomically.
asio::awaitable<TaskEnd> TaskRun::finish(const Outcome& outcome) {
  if (!co_await still_owner()) co_return TaskEnd::dropped;
  const auto now = s_.clock.now();
  const bool to_dead_letters = outcome.status != TaskStatus::completed && outcome.dead_letter;
  if (to_dead_letters) {
    if (!record_) record_ = queue::ScanRecord::of_task(t_.task_id);
    record_->finishing = queue::ScanRecord::Finishing{outcome.error, outcome.reason};
    co_await save_record();
  }
  co_await record_end(outcome, now);
  const auto fields = ctx({{"status", core::to_string(outcome.status)}, {"error", outcome.error}});
  TaskEnding ending;
  ending.outcome = std::string(core::to_string(outcome.status));
  ending.when = now;
  ending.scanner = t_.scanner;
  ending.forget_cancel_request = t_.cancel_requested;
  if (!to_dead_letters) {
    telemetry::log_info("task finished", fields);
  } else {
    telemetry::log_error("task failed", fields);
    ending.dead_letter_error = outcome.error;
    // The hosts whose credentials failed travel with the entry (first 20 and a count).
    if (outcome.validation) ending.dead_letter_extra = outcome.validation->failed_hosts_json();
  }
  co_await s_.ledger.end_task(t_.entry, t_.task_id, ending);
  t_.scanner.reset();
  if (to_dead_letters) s_.metrics.task_dead_lettered(t_.entry.pool, outcome.reason);
  const double seconds =
      task_ && task_->started_at ? core::to_unix_seconds(now) - core::to_unix_seconds(*task_->started_at) : 0.0;
  s_.metrics.task_finished(t_.entry.pool, ending.outcome, seconds);
  co_return TaskEnd::finished;
}

// Another worker may have taken the task over (this worker's heartbeat lapsed in a long
// pause, and a reaper gave the task to it): then the task and its files are theirs, and
// nothing more is written here. Its lease is theirs too (leases are held by task id).
asio::awaitable<bool> TaskRun::still_owner() {
  const queue::TaskClaim claim = co_await s_.ledger.claim(t_.task_id);
  if (claim.ours()) co_return true;
  telemetry::log_warning("another worker took this task over; leaving it to them", ctx({{"running_on", claim.holder}}));
  t_.scanner.reset();
  co_return false;
}

// task.json turns final. A file-system failure (descriptors exhausted, a full disk) is
// retried with backoff within the transient budget, so that the file does not stay
// `running` while the DLQ says the task ended.
asio::awaitable<void> TaskRun::record_end(const Outcome& outcome, core::TimePoint now) {
  const std::function<void(core::Task&)> to_final = [&](core::Task& task) {
    task.status = outcome.status;
    task.completed_at = now;
    task.error_message = outcome.error.empty() ? std::nullopt : std::optional<std::string>(outcome.error);
    if (outcome.validation) {
      task.validation_stats = outcome.validation->stats_json();
      task.validation_warnings = outcome.validation->warnings;
      task.authentication_status = std::string(results::to_string(outcome.validation->authentication_status));
    }
  };
  const auto deadline = std::chrono::steady_clock::now() + s_.settings.transient_budget;
  std::chrono::milliseconds delay(500);
  while (true) {
    std::optional<Error> failure;
    try {
      task_ = co_await change_task_file(to_final);
      co_return;
    } catch (const Error& e) {
      failure = e;
    }
    if (failure->kind() != ErrorKind::internal || std::chrono::steady_clock::now() + delay > deadline) {
      telemetry::log_error("could not record the task's end", ctx({{"error", failure->what()}}));
      co_return;
    }
    telemetry::log_warning("could not record the task's end; retrying",
                           ctx({{"error", failure->what()}, {"retry_in_ms", delay.count()}}));
    t_.wake.reset();
    co_await t_.wake.wait_for(delay);  // not interrupted by a hand-back: the end is being recorded
    delay = std::min(delay * 2, std::chrono::milliseconds(30000));
  }
}

asio::awaitable<void> TaskRun::release_lease() {
  if (!t_.scanner) co_return;
  co_await s_.ledger.release_lease(t_.entry.pool, *t_.scanner, t_.task_id);
  t_.scanner.reset();
}

// Shutdown: the task goes back to the front of its queue; its scan keeps running and
// its lease stays, so the next owner re-attaches within the lease's life.
asio::awaitable<TaskEnd> TaskRun::hand_back() {
  co_await s_.ledger.hand_back(t_.entry, t_.task_id);
  telemetry::log_info("task handed back to the queue", ctx({{"nessus_scan_id", scan_id_}}));
  co_return TaskEnd::handed_back;
}

asio::awaitable<TaskEnd> run_task(Services& services, ActiveTask& task) {
  TaskRun run(services, task);
  co_return co_await run.run();
}

void request_handback(ActiveTask& task) {
  task.handback_requested = true;
  task.wake.set();
}

void request_cancel(ActiveTask& task) {
  task.cancel_requested = true;
  task.wake.set();
}

}  // namespace sw::worker
