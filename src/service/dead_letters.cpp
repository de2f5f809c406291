// Retrying dead letters whose task can still run.
#include "service/dead_letters.hpp"

#include "core/errors.hpp"
#include "core/task_status.hpp"

namespace sw::service {
namespace {

// The status of a task whose task.json has ended; nullopt when it has not, or when there is
// no readable task.json here (DATA_DIR not shared with this machine, or a bad id).
std::optional<std::string> final_status(const store::TaskStore& store, const std::string& task_id) {
  try {
    const auto task = store.read(task_id);
    if (task && core::is_terminal(task->status)) return std::string(core::to_string(task->status));
  } catch (const core::Error&) {
    // not a readable task here: let the worker judge the entry
  }
  return std::nullopt;
}

}  // namespace

const char* const ended_task_advice =
    "its task.json is final, so a worker would drop it; submit the scan again as a new task";

RetryOutcome retry_dead_letters(queue::TaskQueue& queue, const store::TaskStore& store, const std::string& pool,
                                const std::optional<std::string>& task_id) {
  RetryOutcome outcome;
  outcome.retried = queue.dlq_retry(pool, [&](const queue::DeadLetter& letter) {
    if (task_id && letter.task_id != task_id) return false;
    const auto status = letter.task_id ? final_status(store, *letter.task_id) : std::nullopt;
    if (status) outcome.left_ended.push_back(*letter.task_id + " (" + *status + ")");
    return !status;
  });
  if (task_id && outcome.retried == 0 && !outcome.left_ended.empty()) {
    throw core::Error(core::ErrorKind::bad_input,
                      "task " + outcome.left_ended.front() + " has already ended: " + ended_task_advice);
  }
  if (task_id && outcome.retried == 0) {
    throw core::Error(core::ErrorKind::not_found, "no dead letter for task " + *task_id + " in pool " + pool);
  }
  return outcome;
}

}  // namespace sw::service
