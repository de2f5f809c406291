// What workers report for operators, beside the queue itself (docs/contracts.md, KEYS.md):
// each scanner's last GET /server/status answer, so that dashboards never poll the
// scanners themselves, and how many tasks ended per pool, outcome and hour, so that a
// dashboard can draw the last day from the workers' own counts. TaskQueue reads and
// writes them (src/queue/activity.cpp).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sw::queue {

// A scanner's answer to GET /server/status as a worker last saw it.
struct ScannerHealth {
  bool reachable = false;
  std::string status;  // "ready", "loading", ... when reachable
  std::string error;   // why not, when unreachable (no secret: the client's error text)
  core::TimePoint checked_at{};
  std::string checked_by;  // worker id
};

// Tasks that ended in one hour of one pool, by outcome (completed, failed, timeout).
struct HourlyOutcomes {
  core::TimePoint hour_start{};
  std::map<std::string, long long> by_outcome;
};

}  // namespace sw::queue
