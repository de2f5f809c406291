// The shared pieces of a task run: log context, interruptible waits, actionable errors.
#include "worker/task_steps.hpp"

namespace sw::worker {

namespace asio = boost::asio;
using core::ErrorKind;

nlohmann::json context_of(const ActiveTask& task, const core::TaskMessage* message) {
  nlohmann::json fields = {{"pool", task.entry.pool}};
  if (!task.task_id.empty()) fields["task_id"] = task.task_id;
  if (message != nullptr) fields["trace_id"] = message->trace_id;
  if (task.scanner) fields["scanner"] = *task.scanner;
  return fields;
}

nlohmann::json with_fields(nlohmann::json fields, const nlohmann::json& more) {
  for (const auto& [key, value] : more.items()) fields[key] = value;
  return fields;
}

bool interrupted(const ActiveTask& task) { return task.handback_requested || task.cancel_requested; }

asio::awaitable<bool> pause(ActiveTask& task, std::chrono::milliseconds duration) {
  if (interrupted(task)) co_return false;
  task.wake.reset();
  co_await task.wake.wait_for(duration);
  co_return !interrupted(task);
}

asio::awaitable<void> until_interrupted(ActiveTask& task) {
  while (!interrupted(task)) {
    task.wake.reset();
    co_await task.wake.wait();
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) co_return;  // the work ended first
  }
}

std::string actionable(const core::Error& e, const std::string& scanner) {
  switch (e.kind()) {
    case ErrorKind::auth:
      return std::string(e.what()) + " (check the username/password or API keys of scanner '" + scanner +
             "' in scanners.yaml)";
    case ErrorKind::api_disabled:
      return std::string(e.what()) + " (scanner '" + scanner +
             "' refuses scan control through the API; set api_token: auto or the web UI's X-API-Token)";
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::server:
      return std::string(e.what()) + " (scanner '" + scanner + "' kept failing; check that it is up and reachable)";
    default:
      return e.what();
  }
}

}  // namespace sw::worker
