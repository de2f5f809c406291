// The Nessus part of a task run: create (or find) the scan, launch it (or adopt its run),
// follow the run until it ends, stop it on a timeout or a cancel, export and validate the
// results. Each step records what it did before the next (docs/worker-walkthrough.md).
#include "core/errors.hpp"
#include "nessus/export_file.hpp"
#include "nessus/run_status.hpp"
#include "results/results_index.hpp"
#include "telemetry/log.hpp"
#include "worker/scan_request.hpp"
#include "worker/task_run.hpp"
#include "worker/task_steps.hpp"

namespace sw::worker {

namespace asio = boost::asio;
using core::Error;
using core::TaskStatus;

asio::awaitable<Verdict> TaskRun::run_scan() {
  if (interrupted(t_)) co_return co_await interruption();
  if (!co_await ensure_scan()) co_return co_await interruption();
  if (!co_await ensure_launched()) co_return co_await interruption();
  std::optional<Outcome> outcome = co_await poll_until_done();
  if (!outcome) co_return co_await interruption();
  co_return std::move(*outcome);
}

// What an interrupted task does: a hand-back wins (the scan keeps running for the next
// owner); a cancel stops the scan when there is one and fails the task without a DLQ entry.
asio::awaitable<Verdict> TaskRun::interruption() {
  if (t_.handback_requested) co_return HandBackNow{};
  Outcome cancelled{TaskStatus::failed, "cancelled by request", "cancelled", {}, false};
  if (scan_id_ == 0) co_return cancelled;
  co_return co_await stop_scan_for(cancelled);
}

asio::awaitable<void> TaskRun::save_record() { co_await s_.ledger.save_scan_record(*record_); }

// Create the scan (or find the one a previous owner created), record its id at once.
// False when the task was interrupted first.
asio::awaitable<bool> TaskRun::ensure_scan() {
  if (reattaching()) {
    scan_id_ = *record_->scan_id;
    s_.metrics.task_recovered(t_.entry.pool);
    co_return true;
  }
  const nessus::NewScan scan = scan_request_of(*message_);
  // A task that ran before (its worker died) or a failed attempt may have created the
  // scan already: look it up by its unique name first. A first attempt does not list the
  // scanner's scans, which costs as much as the scanner has scans.
  bool may_exist = resumed_;
  const std::optional<std::int64_t> created =
      co_await with_retries(s_, t_, "create scan", [&]() -> asio::awaitable<std::int64_t> {
        if (may_exist) {
          if (auto found = co_await client_->find_scan_by_name(scan.name)) co_return *found;
        }
        may_exist = true;
        co_return co_await client_->create_scan(scan);
      });
  if (!created) co_return false;
  scan_id_ = *created;
  // Saved with the run uuid once launched; until then task.json's scan id and scanner
  // stand in for the record (prepare_record), and a scan not recorded at all is found by name.
  record_ = queue::ScanRecord::of_scan(t_.task_id, *t_.scanner, scan_id_);
  const std::function<void(core::Task&)> record_scan_id = [&](core::Task& task) { task.nessus_scan_id = scan_id_; };
  task_ = co_await change_task_file(record_scan_id);
  telemetry::log_info("scan created", ctx({{"nessus_scan_id", scan_id_}}));
  co_return true;
}

// 5. Launch once; a recovered scan that already runs keeps its run.
asio::awaitable<bool> TaskRun::ensure_launched() {
  if (record_->run_uuid) {
    run_uuid_ = *record_->run_uuid;
    co_return true;
  }
  const std::optional<std::string> launched =
      co_await with_retries(s_, t_, "launch scan", [&]() -> asio::awaitable<std::string> {
        std::string current = co_await client_->current_run_uuid(scan_id_);
        if (!current.empty()) co_return current;
        co_return co_await client_->launch_scan(scan_id_);
      });
  if (!launched) co_return false;
  run_uuid_ = *launched;
  record_->run_uuid = run_uuid_;
  co_await save_record();
  telemetry::log_info("scan launched", ctx({{"nessus_scan_id", scan_id_}, {"run_uuid", run_uuid_}}));
  co_return true;
}

// 6. Follow the run this launch started until it ends or the scan timeout passes. The
// scanner's listing (one GET /scans per interval for all of this worker's tasks) says when
// something changed; the scan's details are read then, and every kDetailsRefresh for the
// progress. A steady scan costs no request of its own and writes nothing. nullopt when the
// task was interrupted.
asio::awaitable<std::optional<Outcome>> TaskRun::poll_until_done() {
  constexpr std::chrono::seconds kDetailsRefresh(60);
  const auto started = task_ && task_->started_at ? *task_->started_at : s_.clock.now();
  const auto deadline = started + std::chrono::duration_cast<core::TimePoint::duration>(s_.settings.env.scan_timeout);
  std::string last_status;
  double last_progress = -1;
  std::string listed_status;  // what the listing said when the details were last read
  std::optional<std::chrono::steady_clock::time_point> details_read_at;
  while (true) {
    const std::optional<Sighting> sighting =
        co_await with_retries(s_, t_, "list scans", [&]() -> asio::awaitable<Sighting> {
          while (true) {
            std::optional<Sighting> seen = co_await s_.listings.next(client_, scan_id_, t_.wake);
            if (seen) co_return *seen;
            if (interrupted(t_)) co_return Sighting{};  // checked below
          }
        });
    if (!sighting || interrupted(t_)) co_return std::nullopt;
    const bool ours = sighting->listed && sighting->entry.uuid == run_uuid_;
    const auto now = std::chrono::steady_clock::now();
    if (!ours || sighting->entry.status != listed_status || !details_read_at ||
        now - *details_read_at >= kDetailsRefresh) {
      const std::optional<nessus::RunState> state =
          co_await with_retries(s_, t_, "poll scan", [&]() { return client_->run_state(scan_id_, run_uuid_); });
      if (!state) co_return std::nullopt;
      details_read_at = now;
      listed_status = ours ? sighting->entry.status : std::string();
      if (state->run_found && (state->status != last_status || state->progress != last_progress)) {
        telemetry::log(state->status != last_status ? telemetry::LogLevel::info : telemetry::LogLevel::debug,
                       "scan status",
                       ctx({{"nessus_scan_id", scan_id_},
                            {"status", state->status},
                            {"progress", state->progress},
                            {"hosts", state->hosts}}));
        last_status = state->status;
        last_progress = state->progress;
        record_->status = state->status;
        record_->progress = state->progress;
        // A run with results is exported next and the record deleted: not worth a write.
        if (!nessus::has_results(nessus::parse_run_status(state->status))) co_await save_record();
      }
      if (state->run_found) {
        const nessus::RunStatus status = nessus::parse_run_status(state->status);
        if (nessus::has_results(status)) {
          co_return co_await export_and_validate();
        }
        // Stopped by a person or by Nessus itself: the task fails and is never launched again.
        // A paused run keeps the task running (the scan timeout still counts).
        if (nessus::ended_without_results(status)) {
          co_return Outcome{TaskStatus::failed,
                            "stopped in Nessus (status " + state->status + "; scan " + std::to_string(scan_id_) +
                                " on scanner '" + scanner_name() + "'); see the scan's history in Nessus",
                            "scan_" + state->status,
                            {}};
        }
      }
    }
    if (s_.clock.now() >= deadline) {
      Outcome timed_out{TaskStatus::timeout,
                        "scan did not finish within SCAN_TIMEOUT_SECONDS=" +
                            std::to_string(static_cast<long long>(s_.settings.env.scan_timeout.count())) +
                            "; it was stopped on scanner '" + scanner_name() + "'",
                        "timeout",
                        {}};
      co_return co_await stop_scan_for(timed_out);
    }
  }
}

// Stops the scan (a timeout, a cancel) and returns `outcome`; a scan that cannot be
// stopped is logged and the task ends all the same.
asio::awaitable<Outcome> TaskRun::stop_scan_for(const Outcome& outcome) {
  try {
    co_await client_->stop_scan(scan_id_);
  } catch (const Error& e) {
    telemetry::log_warning("could not stop the scan", ctx({{"error", e.what()}, {"reason", outcome.reason}}));
  }
  co_return outcome;
}

// 7-8. Export (streamed to scan_native.nessus through a temporary file), validate and index.
// nullopt when the task was interrupted between export attempts or during one: an export
// under way is abandoned (its temporary file removed), so that a hand-back or a cancel is
// not held up by a slow download; the next owner exports again.
asio::awaitable<std::optional<Outcome>> TaskRun::export_and_validate() {
  const auto path = s_.store.export_path(t_.task_id);
  // Each attempt asks the scanner for a new export (a new file id): one that the scanner
  // reports failed is not asked for again (docs/nessus-api.md, "Exports").
  constexpr int kExportAttempts = 3;
  // nullopt: interrupted between attempts; an empty inner value: interrupted during one.
  std::optional<std::optional<std::uint64_t>> exported;
  std::optional<Error> export_failure;
  try {
    exported = co_await with_retries(
        s_, t_, "export scan",
        [&]() {
          return unless_interrupted(
              t_, client_->export_scan(scan_id_,
                                       std::make_unique<nessus::ExportFile>(path, s_.export_writes.get_executor()),
                                       s_.settings.max_export_bytes, to_millis(s_.settings.env.export_timeout)));
        },
        kExportAttempts);
  } catch (const Error& e) {
    if (!core::is_transient(e.kind())) throw;
    export_failure = e;
  }
  if (export_failure) {
    co_return Outcome{TaskStatus::failed,
                      "the export failed on every attempt (up to " + std::to_string(kExportAttempts) +
                          " exports asked of scanner '" + scanner_name() + "'); last: " + export_failure->what(),
                      "export_failed",
                      {}};
  }
  if (exported && !*exported) {
    telemetry::log_info("export abandoned: the task was interrupted", ctx({{"nessus_scan_id", scan_id_}}));
  }
  if (!exported || !*exported) co_return std::nullopt;
  telemetry::log_info("results exported", ctx({{"bytes", **exported}}));
  const core::ScanType scan_type = message_->scan_type;
  const results::AuthPolicy auth_policy{s_.settings.env.auth_min_success_percent};
  // One pass validates the export and writes its results index (scan_native.idx) beside it.
  auto validation = co_await run_on_cpu(s_, [&] { return results::validate_and_index(path, scan_type, auth_policy); });
  const std::string reason =
      validation.error ? std::string(results::to_string(*validation.error)) : std::string("other");
  s_.metrics.validation_result(t_.entry.pool, validation.valid, reason);
  if (validation.authentication_status == results::AuthStatus::failed) {
    s_.metrics.auth_failure(t_.entry.pool, std::string(core::to_string(message_->scan_type)));
  }
  if (validation.valid) {
    co_return Outcome{TaskStatus::completed, "", "completed", std::move(validation)};
  }
  std::string error = validation.error_message;
  co_return Outcome{TaskStatus::failed, std::move(error), reason, std::move(validation)};
}

}  // namespace sw::worker
