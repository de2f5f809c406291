// Cancelling a scan: a task still in its queue is taken out and its task.json fails
// "cancelled by request"; a task a worker holds gets a cancel request (sw:cancel-requests),
// and the worker that runs it stops its Nessus scan and fails it the same way.
#pragma once

#include <string>

#include "queue/task_queue.hpp"
#include "store/task_store.hpp"

namespace sw::service {

inline constexpr const char* cancelled_reason = "cancelled by request";

enum class CancelOutcome {
  removed_from_queue,  // it had not started: gone from the queue, task.json failed
  requested,           // a worker holds it: it stops the scan and fails the task
};

struct Cancellation {
  CancelOutcome outcome = CancelOutcome::requested;
  std::string status;  // task.json's status after the call
};

// Throws core::Error(not_found) when there is no task.json, core::Error(conflict) naming
// its status when the task has already ended.
Cancellation cancel_task(store::TaskStore& store, queue::TaskQueue& queue, const std::string& task_id);

}  // namespace sw::service
