// The task's life: from a queue entry to a terminal task.json.
#include "worker/task_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/task_message.hpp"
#include "nessus/export_file.hpp"
#include "nessus/run_status.hpp"
#include "queue/scan_record.hpp"
#include "results/validator.hpp"
#include "telemetry/log.hpp"
#include "worker/task_steps.hpp"

namespace sw::worker {

namespace asio = boost::asio;
using core::Error;
using core::ErrorKind;
using core::TaskStatus;

namespace {

// What finishing a task records.
struct Outcome {
  TaskStatus status = TaskStatus::failed;
  std::string error;            // for failed and timeout
  std::string reason = "other";  // metric label / DLQ kind
  std::optional<results::ValidationResult> validation;
};

class TaskRun {
 public:
  TaskRun(Services& services, ActiveTask& task) : s_(services), t_(task) {}

  TaskRun(const TaskRun&) = delete;
  TaskRun& operator=(const TaskRun&) = delete;
  ~TaskRun() {
    if (holds_task_id_) s_.running_task_ids.erase(t_.task_id);
  }

  asio::awaitable<void> run() {
    if (!co_await parse()) co_return;
    if (!co_await claim()) co_return;
    try {
      if (!co_await prepare_record()) co_return;
      if (!co_await lease_scanner()) co_return;
      if (!co_await mark_running()) co_return;
      co_await ensure_scan();
      co_await ensure_launched();
      const Outcome outcome = co_await poll_until_done();
      co_await finish(outcome);
    } catch (const HandBack&) {
      // handled below: co_await is not allowed in a handler
    } catch (const Error& e) {
      failure_ = Outcome{TaskStatus::failed, actionable(e, t_.scanner.value_or("?")), std::string(core::to_string(e.kind())), {}};
    }
    if (failure_) {
      co_await finish(*failure_);
    } else if (!t_.finished) {
      co_await hand_back();
    }
  }

 private:
  // A record of a scan created by an earlier owner or attempt: follow that scan.
  bool reattaching() const { return record_ && record_->scan_id; }

  nlohmann::json ctx(const nlohmann::json& more = nlohmann::json::object()) const {
    return with_fields(context_of(t_, message_ ? &*message_ : nullptr), more);
  }

  // 2. Parse and check; bad input goes to the DLQ with the raw text and a reason. An entry
  // over MAX_TASK_BYTES is not parsed at all: its first KiB and its size are kept.
  asio::awaitable<bool> parse() {
    constexpr std::size_t kKeptBytesOfOversized = 1024;
    const bool oversized = t_.raw.size() > s_.settings.env.max_task_bytes;
    std::string reason;
    if (oversized) {
      reason = "task message too large: " + std::to_string(t_.raw.size()) +
               " bytes, more than MAX_TASK_BYTES=" + std::to_string(s_.settings.env.max_task_bytes);
    } else {
      try {
        message_ = core::parse_task_message(t_.raw, t_.pool);
        t_.task_id = message_->task_id;
        co_return true;
      } catch (const Error& e) {
        reason = e.what();
      }
    }
    const std::string error = "malformed task: " + reason;
    telemetry::log_error("malformed task sent to the dead-letter queue", ctx({{"reason", reason}}));
    // The id is looked for in the whole entry (a streaming read, no document): a producer
    // may put task_id after a huge payload.
    const std::optional<std::string> task_id = core::task_id_of_entry(t_.raw);
    const std::optional<std::string> failed_task = co_await fail_queued_task_file(task_id, error);
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      if (oversized) {
        q.dead_letter_oversized(t_.pool, t_.raw, error, kKeptBytesOfOversized, failed_task);
      } else {
        q.dead_letter(t_.pool, t_.raw, error, nlohmann::json::object(), failed_task);
      }
    });
    s_.metrics.task_dead_lettered(t_.pool, "bad_input");
    t_.finished = true;
    co_return false;
  }

  // A malformed entry that names a task whose task.json is still `queued` (the producer
  // wrote it) fails that task with the same reason, so that the task file and the DLQ
  // agree. Only when no one else runs the task: the claim is taken first. Returns the task
  // id when task.json was failed (its claim is then released with the DLQ entry), nullopt
  // otherwise (a claim taken here is released at once).
  asio::awaitable<std::optional<std::string>> fail_queued_task_file(const std::optional<std::string>& task_id,
                                                                   const std::string& error) {
    if (!task_id || s_.running_task_ids.contains(*task_id)) co_return std::nullopt;
    const auto claim = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      return q.claim_task(*task_id, s_.settings.claim_ttl);
    });
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
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { q.release_claim(*task_id); });
    co_return std::nullopt;
  }

  // 2b. One owner per task id, whatever number of queue entries carry it: the claim is
  // taken before anything of the task is created. A repeated delivery of a task that runs
  // elsewhere (or already in this worker) leaves the queue without touching its files.
  asio::awaitable<bool> claim() {
    std::string holder = s_.settings.env.worker_id;
    if (!s_.running_task_ids.contains(t_.task_id)) {
      s_.running_task_ids.insert(t_.task_id);
      holds_task_id_ = true;
      const auto claim = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
        return q.claim_task(t_.task_id, s_.settings.claim_ttl);
      });
      if (claim.result == queue::TaskClaim::Result::taken_over) {
        telemetry::log_info("took over the claim of a worker that died", ctx({{"previous_worker", claim.holder}}));
      }
      if (claim.ours()) co_return true;
      holder = claim.holder;
    }
    telemetry::log_warning("task already running on another owner; dropping this repeated delivery",
                           ctx({{"running_on", holder}}));
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) { q.discard(t_.pool, t_.raw); });
    t_.finished = true;
    co_return false;
  }

  // task.json exists (created when the producer did not), and the task is not finished.
  // A damaged re-attach record fails the task (once: the DLQ step deletes the record).
  asio::awaitable<bool> prepare_record() {
    const auto existing = co_await run_on_cpu(s_, [&] { return s_.store.read(t_.task_id); });
    if (!existing) {
      co_await run_on_cpu(s_, [&] { s_.store.write(core::task_from_message(*message_, s_.clock.now())); });
    } else if (core::is_terminal(existing->status)) {
      co_await settle_finished_task(*existing);
      co_return false;
    } else {
      task_ = *existing;
      resumed_ = existing->status == TaskStatus::running;
    }
    const auto text = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      return q.scan_record_text(t_.task_id);
    });
    if (text) {
      record_ = queue::parse_scan_record(*text, t_.task_id, task_ ? task_->nessus_scan_id : std::nullopt);
    } else if (task_ && task_->nessus_scan_id && task_->scanner_instance_id) {
      record_ = queue::ScanRecord::of_scan(t_.task_id, *task_->scanner_instance_id, *task_->nessus_scan_id);
    }
    co_return true;
  }

  // A delivery of a task whose task.json is final. When its owner stopped between the
  // final task.json and the dead-letter queue (the record keeps the failure being
  // recorded), the DLQ entry is written now; otherwise it is a repeat and is dropped.
  asio::awaitable<void> settle_finished_task(const core::Task& existing) {
    const auto text = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      return q.scan_record_text(t_.task_id);
    });
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
      co_await dead_letter(finishing->error);
      s_.metrics.task_dead_lettered(t_.pool, finishing->reason);
    } else {
      telemetry::log_warning("task already finished; dropping the repeated delivery",
                             ctx({{"status", core::to_string(existing.status)}}));
      co_await acknowledge();
    }
    t_.finished = true;
  }

  // 3. A lease on the pinned scanner (or the one the scan already runs on), else the
  // least loaded; waits while none has room. A task pinned by its producer to a busy
  // scanner goes to the back of the queue instead, so that it blocks no other task.
  // Returns false when the task was deferred.
  asio::awaitable<bool> lease_scanner() {
    std::optional<std::string> pinned = message_->scanner_instance_id;
    if (reattaching()) pinned = record_->scanner;
    if (pinned && !s_.scanners.client(t_.pool, *pinned)) {
      throw Error(ErrorKind::bad_input, "scanner '" + *pinned + "' is not configured in pool '" + t_.pool +
                                            "' (scanners.yaml); submit the task to a configured scanner");
    }
    if (s_.scanners.slots(t_.pool).empty()) {
      throw Error(ErrorKind::bad_input, "pool '" + t_.pool + "' has no enabled scanner in scanners.yaml");
    }
    bool logged_wait = false;
    while (true) {
      const auto slots = s_.scanners.slots(t_.pool);
      auto leased = co_await s_.redis.run([&](queue::TaskQueue&, queue::CapacityLeases& leases) {
        return leases.acquire(t_.pool, slots, t_.task_id, s_.settings.lease_ttl, pinned);
      });
      if (leased) {
        t_.scanner = *leased;
        co_return true;
      }
      if (pinned && !reattaching()) {
        co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
          q.defer(t_.pool, t_.raw, t_.task_id);
        });
        telemetry::log_debug("pinned scanner busy; task moved to the back of the queue", ctx({{"pinned", *pinned}}));
        t_.deferred = true;
        t_.finished = true;
        co_return false;
      }
      if (!logged_wait) {
        telemetry::log_info("waiting for scanner capacity", ctx({{"pinned", pinned.value_or("")}}));
        logged_wait = true;
      }
      co_await pause(t_, s_.settings.lease_retry);
    }
  }

  // 4. queued -> running (running -> running when re-attaching).
  asio::awaitable<bool> mark_running() {
    std::string refusal;
    try {
      task_ = co_await run_on_cpu(s_, [&] {
        return s_.store.update(t_.task_id, [&](core::Task& task) {
          task.status = TaskStatus::running;
          if (!task.started_at) task.started_at = s_.clock.now();
          task.scanner_instance_id = *t_.scanner;
        });
      });
    } catch (const Error& e) {
      refusal = e.what();
    }
    if (!refusal.empty()) {
      telemetry::log_warning("task cannot run; acknowledging it", ctx({{"reason", refusal}}));
      co_await release_lease();
      co_await acknowledge();
      t_.finished = true;
      co_return false;
    }
    client_ = s_.scanners.client(t_.pool, *t_.scanner);
    telemetry::log_info(reattaching() ? "re-attaching task" : "task running", ctx());
    co_return true;
  }

  asio::awaitable<void> save_record() {
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      q.save_scan_record(t_.task_id, queue::to_json(*record_));
    });
  }

  // Create the scan (or find the one a previous owner created), record its id at once.
  asio::awaitable<void> ensure_scan() {
    if (reattaching()) {
      scan_id_ = *record_->scan_id;
      s_.metrics.task_recovered(t_.pool);
      co_return;
    }
    const std::string display = message_->payload.value("name", std::string("scan"));
    nessus::NewScan scan;
    scan.name = scan_name_for(display, t_.task_id);
    scan.description = message_->payload.value("description", std::string());
    scan.targets = message_->payload.value("targets", std::string());
    if (const auto* creds = core::credentials_of(*message_)) {
      nessus::SshCredentials ssh;
      ssh.username = creds->value("username", "");
      ssh.password = creds->value("password", "");
      ssh.auth_method = creds->value("auth_method", "password");
      ssh.elevate_privileges_with = creds->value("elevate_privileges_with", "Nothing");
      ssh.escalation_account = creds->value("escalation_account", "");
      ssh.escalation_password = creds->value("escalation_password", "");
      if (ssh.password == core::kRedacted) {
        throw Error(ErrorKind::bad_input,
                    "the task's credentials were redacted (a retried dead letter); submit the scan again with its password");
      }
      scan.ssh = ssh;
    }
    // A task that ran before (its worker died) or a failed attempt may have created the
    // scan already: look it up by its unique name first. A first attempt does not list the
    // scanner's scans, which costs as much as the scanner has scans.
    bool may_exist = resumed_;
    scan_id_ = co_await with_retries(s_, t_, "create scan", [&]() -> asio::awaitable<std::int64_t> {
      if (may_exist) {
        if (auto found = co_await client_->find_scan_by_name(scan.name)) co_return *found;
      }
      may_exist = true;
      co_return co_await client_->create_scan(scan);
    });
    record_ = queue::ScanRecord::of_scan(t_.task_id, *t_.scanner, scan_id_);
    co_await save_record();
    co_await run_on_cpu(s_, [&] {
      s_.store.update(t_.task_id, [&](core::Task& task) { task.nessus_scan_id = scan_id_; });
    });
    telemetry::log_info("scan created", ctx({{"nessus_scan_id", scan_id_}}));
  }

  // 5. Launch once; a recovered scan that already runs keeps its run.
  asio::awaitable<void> ensure_launched() {
    if (record_->run_uuid) {
      run_uuid_ = *record_->run_uuid;
      co_return;
    }
    run_uuid_ = co_await with_retries(s_, t_, "launch scan", [&]() -> asio::awaitable<std::string> {
      std::string current = co_await client_->current_run_uuid(scan_id_);
      if (!current.empty()) co_return current;
      co_return co_await client_->launch_scan(scan_id_);
    });
    record_->run_uuid = run_uuid_;
    co_await save_record();
    telemetry::log_info("scan launched", ctx({{"nessus_scan_id", scan_id_}, {"run_uuid", run_uuid_}}));
  }

  // 6. Follow the run this launch started until it ends or the scan timeout passes. The
  // scanner's listing (one GET /scans per interval for all of this worker's tasks) says when
  // something changed; the scan's details are read then, and every kDetailsRefresh for the
  // progress. A steady scan costs no request of its own and writes nothing.
  asio::awaitable<Outcome> poll_until_done() {
    constexpr std::chrono::seconds kDetailsRefresh(60);
    const auto started = task_ && task_->started_at ? *task_->started_at : s_.clock.now();
    const auto deadline = started + std::chrono::duration_cast<core::TimePoint::duration>(s_.settings.env.scan_timeout);
    std::string last_status;
    double last_progress = -1;
    std::string listed_status;  // what the listing said when the details were last read
    std::optional<std::chrono::steady_clock::time_point> details_read_at;
    while (true) {
      const Sighting sighting = co_await with_retries(s_, t_, "list scans", [&]() { return next_sighting(); });
      const bool ours = sighting.listed && sighting.entry.uuid == run_uuid_;
      const auto now = std::chrono::steady_clock::now();
      if (!ours || sighting.entry.status != listed_status || !details_read_at ||
          now - *details_read_at >= kDetailsRefresh) {
        const nessus::RunState state = co_await with_retries(
            s_, t_, "poll scan", [&]() { return client_->run_state(scan_id_, run_uuid_); });
        details_read_at = now;
        listed_status = ours ? sighting.entry.status : std::string();
        if (state.run_found && (state.status != last_status || state.progress != last_progress)) {
          telemetry::log(state.status != last_status ? telemetry::LogLevel::info : telemetry::LogLevel::debug,
                         "scan status", ctx({{"nessus_scan_id", scan_id_}, {"status", state.status},
                                             {"progress", state.progress}, {"hosts", state.hosts}}));
          last_status = state.status;
          last_progress = state.progress;
          record_->status = state.status;
          record_->progress = state.progress;
          co_await save_record();
        }
        if (state.run_found) {
          const auto status = nessus::parse_run_status(state.status);
          if (nessus::has_results(status)) {
            co_return co_await export_and_validate();
          }
          // Stopped by a person or by Nessus itself: the task fails and is never launched again.
          // A paused run keeps the task running (the scan timeout still counts).
          if (nessus::ended_without_results(status)) {
            co_return Outcome{TaskStatus::failed,
                              "stopped in Nessus (status " + state.status + "; scan " + std::to_string(scan_id_) +
                                  " on scanner '" + *t_.scanner + "'); see the scan's history in Nessus",
                              "scan_" + state.status, {}};
          }
        }
      }
      if (s_.clock.now() >= deadline) {
        co_return co_await time_out();
      }
    }
  }

  // The scan as the scanner's next listing shows it; throws HandBack when a hand-back
  // interrupts the wait.
  asio::awaitable<Sighting> next_sighting() {
    while (true) {
      if (t_.handback_requested) throw HandBack{};
      auto sighting = co_await s_.listings.next(client_, scan_id_, t_.wake);
      if (sighting) co_return *sighting;
    }
  }

  asio::awaitable<Outcome> time_out() {
    try {
      co_await client_->stop_scan(scan_id_);
    } catch (const Error& e) {
      telemetry::log_warning("could not stop the timed-out scan", ctx({{"error", e.what()}}));
    }
    co_return Outcome{TaskStatus::timeout,
                      "scan did not finish within SCAN_TIMEOUT_SECONDS=" +
                          std::to_string(static_cast<long long>(s_.settings.env.scan_timeout.count())) +
                          "; it was stopped on scanner '" + *t_.scanner + "'",
                      "timeout", {}};
  }

  // 7-8. Export (streamed to scan_native.nessus through a temporary file), validate.
  asio::awaitable<Outcome> export_and_validate() {
    const auto path = s_.store.export_path(t_.task_id);
    // Each attempt asks the scanner for a new export (a new file id): one that the scanner
    // reports failed is not asked for again (docs/nessus-api.md, "Exports").
    constexpr int kExportAttempts = 3;
    std::uint64_t bytes = 0;
    std::optional<Error> export_failure;
    try {
      bytes = co_await with_retries(
          s_, t_, "export scan",
          [&]() {
            return client_->export_scan(scan_id_, std::make_unique<nessus::ExportFile>(path),
                                        s_.settings.max_export_bytes, to_millis(s_.settings.env.export_timeout));
          },
          kExportAttempts);
    } catch (const Error& e) {
      if (!core::is_transient(e.kind())) throw;
      export_failure = e;
    }
    if (export_failure) {
      co_return Outcome{TaskStatus::failed,
                        "the export failed on every attempt (up to " + std::to_string(kExportAttempts) +
                            " exports asked of scanner '" + *t_.scanner + "'); last: " + export_failure->what(),
                        "export_failed", {}};
    }
    telemetry::log_info("results exported", ctx({{"bytes", bytes}}));
    const core::ScanType scan_type = message_->scan_type;
    const results::AuthPolicy auth_policy{s_.settings.env.auth_min_success_percent};
    auto validation =
        co_await run_on_cpu(s_, [&] { return results::validate_export(path, scan_type, auth_policy); });
    const std::string reason =
        validation.error ? std::string(results::to_string(*validation.error)) : std::string("other");
    s_.metrics.validation_result(t_.pool, validation.valid, reason);
    if (validation.authentication_status == results::AuthStatus::failed) {
      s_.metrics.auth_failure(t_.pool, std::string(core::to_string(message_->scan_type)));
    }
    if (validation.valid) {
      co_return Outcome{TaskStatus::completed, "", "completed", std::move(validation)};
    }
    std::string error = validation.error_message;
    co_return Outcome{TaskStatus::failed, std::move(error), reason, std::move(validation)};
  }

  // 9-10. Record the terminal state, dead-letter failures, release, acknowledge. A failure
  // is first noted in the Redis record: an owner that stops between the final task.json
  // and the DLQ entry leaves the next owner what it needs to write the entry
  // (settle_finished_task). The DLQ and acknowledge steps delete the record and release
  // the claim atomically.
  asio::awaitable<void> finish(const Outcome& outcome) {
    if (!co_await still_owner()) co_return;
    const auto now = s_.clock.now();
    const bool ok = outcome.status == TaskStatus::completed;
    if (!ok) {
      if (!record_) record_ = queue::ScanRecord::of_task(t_.task_id);
      record_->finishing = queue::ScanRecord::Finishing{outcome.error, outcome.reason};
      co_await save_record();
    }
    co_await record_end(outcome, now);
    const auto fields = ctx({{"status", core::to_string(outcome.status)}, {"error", outcome.error}});
    if (ok) {
      telemetry::log_info("task finished", fields);
      co_await acknowledge();
    } else {
      telemetry::log_error("task failed", fields);
      // The hosts whose credentials failed travel with the entry (first 20 and a count).
      const nlohmann::json failed_hosts =
          outcome.validation ? outcome.validation->failed_hosts_json() : nlohmann::json::object();
      co_await dead_letter(outcome.error, &failed_hosts);
      s_.metrics.task_dead_lettered(t_.pool, outcome.reason);
    }
    co_await release_lease();
    const double seconds = task_ && task_->started_at ? core::to_unix_seconds(now) - core::to_unix_seconds(*task_->started_at) : 0.0;
    s_.metrics.task_finished(t_.pool, std::string(core::to_string(outcome.status)), seconds);
    t_.finished = true;
  }

  // Another worker may have taken the task over (this worker's heartbeat lapsed in a long
  // pause, and a reaper gave the task to it): then the task and its files are theirs, and
  // nothing more is written here. Its lease is theirs too (leases are held by task id).
  asio::awaitable<bool> still_owner() {
    const auto claim = co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      return q.claim_task(t_.task_id, s_.settings.claim_ttl);
    });
    if (claim.ours()) co_return true;
    telemetry::log_warning("another worker took this task over; leaving it to them", ctx({{"running_on", claim.holder}}));
    t_.scanner.reset();
    t_.finished = true;
    co_return false;
  }

  // task.json turns final. A file-system failure (descriptors exhausted, a full disk) is
  // retried with backoff within the transient budget, so that the file does not stay
  // `running` while the DLQ says the task ended.
  asio::awaitable<void> record_end(const Outcome& outcome, core::TimePoint now) {
    const auto deadline = std::chrono::steady_clock::now() + s_.settings.transient_budget;
    std::chrono::milliseconds delay(500);
    while (true) {
      std::optional<Error> failure;
      try {
        task_ = co_await run_on_cpu(s_, [&] {
          return s_.store.update(t_.task_id, [&](core::Task& task) {
            task.status = outcome.status;
            task.completed_at = now;
            task.error_message = outcome.error.empty() ? std::nullopt : std::optional<std::string>(outcome.error);
            if (outcome.validation) {
              task.validation_stats = outcome.validation->stats_json();
              task.validation_warnings = outcome.validation->warnings;
              task.authentication_status = std::string(results::to_string(outcome.validation->authentication_status));
            }
          });
        });
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
      t_.wake.expires_after(delay);
      co_await t_.wake.async_wait(asio::as_tuple(asio::use_awaitable));
      delay = std::min(delay * 2, std::chrono::milliseconds(30000));
    }
  }

  // Done: out of the in-flight list, record deleted, claim released (one atomic step).
  asio::awaitable<void> acknowledge() {
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      q.acknowledge(t_.pool, t_.raw, t_.task_id);
    });
  }

  // Failed: into the DLQ, record deleted, claim released (one atomic step).
  // `extra`: fields added to the entry (a pointer: no temporary json in a co_await expression).
  asio::awaitable<void> dead_letter(const std::string& error, const nlohmann::json* extra = nullptr) {
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      q.dead_letter(t_.pool, t_.raw, error, extra ? *extra : nlohmann::json::object(), t_.task_id);
    });
  }

  asio::awaitable<void> release_lease() {
    if (!t_.scanner) co_return;
    co_await s_.redis.run([&](queue::TaskQueue&, queue::CapacityLeases& leases) {
      leases.release(t_.pool, *t_.scanner, t_.task_id);
    });
    t_.scanner.reset();
  }

  // Shutdown: the task goes back to the front of its queue; its scan keeps running and
  // its lease stays, so the next owner re-attaches within the lease's life.
  asio::awaitable<void> hand_back() {
    co_await s_.redis.run([&](queue::TaskQueue& q, queue::CapacityLeases&) {
      q.hand_back(t_.pool, t_.raw, t_.raw, t_.task_id);
    });
    telemetry::log_info("task handed back to the queue", ctx({{"nessus_scan_id", scan_id_}}));
    t_.finished = true;
  }

  Services& s_;
  ActiveTask& t_;
  std::optional<core::TaskMessage> message_;
  std::optional<core::Task> task_;
  std::optional<queue::ScanRecord> record_;
  bool holds_task_id_ = false;  // this run put the task id in running_task_ids
  std::shared_ptr<nessus::ScannerApi> client_;
  std::int64_t scan_id_ = 0;
  std::string run_uuid_;
  bool resumed_ = false;  // task.json said running: a previous owner may have created the scan
  std::optional<Outcome> failure_;
};

}  // namespace

asio::awaitable<void> run_task(Services& services, ActiveTask& task) {
  TaskRun run(services, task);
  co_await run.run();
}

void request_handback(ActiveTask& task) {
  task.handback_requested = true;
  task.wake.cancel();
}

}  // namespace sw::worker
