// Background jobs: housekeeping (task folders past their TTL), stale scans (running far
// too long: timeout, stop and optionally delete the scan), and Nessus cleanup (finished
// scans that this system created, past their retention). Scans created by people in
// the Nessus UI are never stopped or deleted.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <set>
#include <string>

#include "worker/services.hpp"

namespace sw::worker {

boost::asio::awaitable<void> run_housekeeping(Services& services);

// `active_task_ids`: tasks this worker is processing now (left alone).
boost::asio::awaitable<void> run_stale_scan_cleanup(Services& services, std::set<std::string> active_task_ids);

boost::asio::awaitable<void> run_nessus_cleanup(Services& services);

}  // namespace sw::worker
