// What the steps of a task run share: the log context of a task, waits that give way to a
// hand-back or a cancel, retries of transient Nessus errors, and error texts that say what
// to fix.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/errors.hpp"
#include "core/task_message.hpp"
#include "telemetry/log.hpp"
#include "worker/services.hpp"
#include "worker/task_runner.hpp"

namespace sw::worker {

// The log fields of a task: pool, task_id, trace_id and scanner as far as known.
nlohmann::json context_of(const ActiveTask& task, const core::TaskMessage* message);

// `fields` with the members of `more` added.
nlohmann::json with_fields(nlohmann::json fields, const nlohmann::json& more);

// True when the task was asked to stop what it does: hand itself back, or cancel.
bool interrupted(const ActiveTask& task);

// Waits `duration`; false (at once or early) when the task is interrupted.
boost::asio::awaitable<bool> pause(ActiveTask& task, std::chrono::milliseconds duration);

// Returns once the task is interrupted, or when the caller is cancelled.
boost::asio::awaitable<void> until_interrupted(ActiveTask& task);

// Runs `work` until it ends or the task is interrupted. An interruption cancels `work`
// (terminal cancellation: what it awaits ends at once, its sink is released unfinished) and
// returns nullopt once it has ended; an error of `work` that ended on its own is rethrown.
template <typename T>
boost::asio::awaitable<std::optional<T>> unless_interrupted(ActiveTask& task, boost::asio::awaitable<T> work) {
  namespace asio = boost::asio;
  const auto executor = co_await asio::this_coro::executor;
  auto group =
      asio::experimental::make_parallel_group(asio::co_spawn(executor, std::move(work), asio::deferred),
                                              asio::co_spawn(executor, until_interrupted(task), asio::deferred));
  // Named, not a temporary of the co_await expression: GCC 12 destroys those twice.
  auto racing = group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  auto [order, work_failure, result, watch_failure] = co_await std::move(racing);
  (void)watch_failure;
  std::optional<T> outcome;
  if (order[0] == 0) {  // the work ended first
    if (work_failure) std::rethrow_exception(work_failure);
    outcome.emplace(std::move(result));
  }
  co_return outcome;
}

// Runs a Nessus step, retrying transient errors (network, timeout, 5xx) with capped
// exponential backoff within the settings' budget and at most `max_attempts` times.
// Steps must be safe to repeat. nullopt when the task was interrupted between attempts;
// the last error is thrown when the attempts or the budget are spent.
template <typename Step>
auto with_retries(Services& services, ActiveTask& task, const char* what, Step step,
                  int max_attempts = std::numeric_limits<int>::max())
    -> boost::asio::awaitable<std::optional<typename decltype(step())::value_type>> {
  const auto deadline = std::chrono::steady_clock::now() + services.settings.transient_budget;
  std::chrono::milliseconds delay(500);
  for (int attempt = 1;; ++attempt) {
    std::optional<core::Error> failure;
    try {
      co_return co_await step();
    } catch (const core::Error& e) {
      if (!core::is_transient(e.kind()) || attempt >= max_attempts ||
          std::chrono::steady_clock::now() + delay > deadline) {
        throw;
      }
      failure = e;
    }
    telemetry::log_warning(
        std::string(what) + " failed, retrying",
        with_fields(context_of(task, nullptr),
                    {{"attempt", attempt}, {"error", failure->what()}, {"retry_in_ms", delay.count()}}));
    if (!co_await pause(task, delay)) co_return std::nullopt;
    delay = std::min(delay * 2, std::chrono::milliseconds(30000));
  }
}

// The error's text with what to check for the scanner (credentials, api_token, reachability).
std::string actionable(const core::Error& e, const std::string& scanner);

}  // namespace sw::worker
