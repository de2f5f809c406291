// Retrying dead letters: entries go back on their queue without their failure fields,
// except those whose task.json has already ended (a worker would drop them, since terminal
// states never change: docs/contracts.md#status-and-its-transitions).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "queue/task_queue.hpp"
#include "store/task_store.hpp"

namespace sw::service {

struct RetryOutcome {
  std::size_t retried = 0;
  std::vector<std::string> left_ended;  // "task_id (status)" of the letters left in the DLQ
};

// The advice given for a letter whose task has ended.
extern const char* const ended_task_advice;

// Retries the pool's letters of `task_id`, or all of them when nullopt. With a task id,
// throws core::Error(bad_input) when its task has ended (with ended_task_advice) and
// core::Error(not_found) when the pool has no letter of it.
RetryOutcome retry_dead_letters(queue::TaskQueue& queue, const store::TaskStore& store, const std::string& pool,
                                const std::optional<std::string>& task_id);

}  // namespace sw::service
