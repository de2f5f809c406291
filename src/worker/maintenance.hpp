// Background jobs: housekeeping (task folders past their TTL), stale scans (running far
// too long: timeout, stop and optionally delete the scan), Nessus cleanup (finished
// scans that this system created, past their retention), and the task files of poison
// tasks the reaper dead-lettered. Scans created by people in the Nessus UI are never
// stopped or deleted.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <set>
#include <string>
#include <vector>

#include "queue/task_queue.hpp"
#include "worker/services.hpp"

namespace sw::worker {

boost::asio::awaitable<void> run_housekeeping(Services& services);

// `active_task_ids`: tasks this worker is processing now (left alone).
boost::asio::awaitable<void> run_stale_scan_cleanup(Services& services, std::set<std::string> active_task_ids);

boost::asio::awaitable<void> run_nessus_cleanup(Services& services);

// Poison tasks that the reaper moved to the DLQ end `failed` in their task.json too, with
// the DLQ's reason, so that the file and the DLQ agree (a terminal file stays as it is).
boost::asio::awaitable<void> record_poison_tasks(Services& services, const std::vector<queue::PoisonTask>& poisoned);

}  // namespace sw::worker
