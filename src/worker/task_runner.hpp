// One task's life (DESIGN.md §4): parse, lease a scanner, create or re-attach to the
// Nessus scan, launch, poll, export, validate, release, finish. Every step is recorded
// (task.json and the Redis scan record) before the next one, so that a worker that dies
// anywhere leaves enough for another to re-attach without a second scan.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <string>

#include "worker/scan_name.hpp"
#include "worker/services.hpp"

namespace sw::worker {

// A task this worker holds. Lives on the event loop's thread only.
struct ActiveTask {
  ActiveTask(boost::asio::any_io_executor executor, std::string pool_name, std::string raw_message)
      : pool(std::move(pool_name)), raw(std::move(raw_message)), wake(executor) {}

  std::string pool;
  std::string raw;                     // the queue entry as taken (also its in-flight list entry)
  std::string task_id;                 // once parsed
  std::optional<std::string> scanner;  // instance id of the lease held
  boost::asio::steady_timer wake;      // the task's waits; cancelled to wake it early
  bool handback_requested = false;     // shutdown: give the task back instead of finishing it
  bool deferred = false;               // pinned to a busy scanner: moved to the back of the queue
  bool finished = false;
};

// Runs the task to a terminal state, or hands it back to the queue when
// handback_requested is set (the lease is kept: its scan still runs on Nessus).
boost::asio::awaitable<void> run_task(Services& services, ActiveTask& task);

// Asks a running task to hand itself back as soon as it can.
void request_handback(ActiveTask& task);

}  // namespace sw::worker
