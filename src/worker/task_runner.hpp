// One task's life (docs/worker-walkthrough.md): parse, claim, lease a scanner, create or
// re-attach to the Nessus scan, launch, poll, export, validate, release, finish. Every step
// is recorded (task.json and the Redis scan record) before the next one, so that a worker
// that dies anywhere leaves enough for another to re-attach without a second scan.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "coro/event.hpp"
#include "worker/services.hpp"
#include "worker/task_ledger.hpp"

namespace sw::worker {

// A task this worker holds. Lives on the event loop's thread only.
struct ActiveTask {
  ActiveTask(boost::asio::any_io_executor executor, QueueEntry queue_entry)
      : entry(std::move(queue_entry)), wake(std::move(executor)) {}

  QueueEntry entry;                    // the queue entry as taken (also its in-flight list entry)
  std::string task_id;                 // once parsed
  std::optional<std::string> scanner;  // instance id of the lease held: the worker renews it
  coro::Event wake;                    // set to end the task's current wait early
  bool handback_requested = false;     // shutdown: give the task back instead of finishing it
  bool cancel_requested = false;       // a producer asked to cancel it (sw:cancel-requests)
};

// How a task run ended.
enum class TaskEnd {
  finished,     // terminal task.json; the entry left the queue (acknowledged or dead-lettered)
  handed_back,  // back at the front of its queue (shutdown); its lease is kept
  deferred,     // its pinned scanner is full: moved to the back of the queue
  dropped,      // a repeated delivery, or a task another worker took over: nothing of it is ours
};

// Runs the task to a terminal state, or hands it back to the queue when handback_requested
// is set. Throws core::Error(redis) when Redis fails: the caller runs it again later (every
// step is safe to repeat).
boost::asio::awaitable<TaskEnd> run_task(Services& services, ActiveTask& task);

// Asks a running task to hand itself back as soon as it can.
void request_handback(ActiveTask& task);

// Asks a running task to stop its scan and fail "cancelled by request".
void request_cancel(ActiveTask& task);

}  // namespace sw::worker
