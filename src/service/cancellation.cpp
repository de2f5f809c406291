// Cancelling a queued or running scan.
#include "service/cancellation.hpp"

#include <chrono>

#include "core/errors.hpp"
#include "core/task_status.hpp"

namespace sw::service {

Cancellation cancel_task(store::TaskStore& store, queue::TaskQueue& queue, const std::string& task_id) {
  const auto task = store.read(task_id);
  if (!task) throw core::Error(core::ErrorKind::not_found, "no task " + task_id);
  if (core::is_terminal(task->status)) {
    throw core::Error(core::ErrorKind::conflict, "task " + task_id + " has already ended (" +
                                                     std::string(core::to_string(task->status)) +
                                                     "); nothing to cancel");
  }
  if (task->status == core::TaskStatus::queued && queue.remove_queued(task->scanner_pool, task_id) > 0) {
    const core::Task failed = store.update(task_id, [](core::Task& changed) {
      if (changed.status != core::TaskStatus::queued) return;
      changed.status = core::TaskStatus::failed;
      changed.completed_at = std::chrono::system_clock::now();
      changed.error_message = cancelled_reason;
    });
    return {CancelOutcome::removed_from_queue, std::string(core::to_string(failed.status))};
  }
  queue.request_cancel(task_id);
  return {CancelOutcome::requested, std::string(core::to_string(task->status))};
}

}  // namespace sw::service
