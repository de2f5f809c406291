// One run (launch) of a simulated scan. Its status is computed lazily from timestamps, so
// thousands of runs cost nothing between requests: pending for `pending_seconds`, then
// running for `scan_seconds` while hosts appear and progress, then completed (or aborted
// half-way, or running forever, per scenario). Stop, pause, resume and kill are recorded as
// timestamps too. All times are epoch seconds (double) passed in by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exportgen/export_writer.hpp"
#include "sim/hosts.hpp"
#include "sim/scenario.hpp"

namespace sw::sim {

struct RunTiming {
  double pending_seconds = 2;
  double scan_seconds = 10;
  double transition_seconds = 1;  // stopping, pausing and resuming last this long
};

struct RunHost {
  SimHost host;
  exportgen::HostAuth auth = exportgen::HostAuth::not_attempted;
};

struct HostProgress {
  std::size_t index = 0;
  double fraction = 0;  // 0..1 of the host's checks
};

class Run {
 public:
  Run(std::string uuid, std::int64_t history_id, double launched_at, RunTiming timing, RunOutcome outcome,
      std::vector<RunHost> hosts, std::string targets);

  const std::string& uuid() const { return uuid_; }
  std::int64_t history_id() const { return history_id_; }
  double launched_at() const { return launched_at_; }
  const std::vector<RunHost>& hosts() const { return hosts_; }
  const std::string& targets() const { return targets_; }

  // empty is never returned; one of pending, running, pausing, paused, resuming, stopping,
  // canceled, completed, aborted.
  std::string status(double now) const;
  bool active(double now) const;  // not in a terminal state
  // When the run reached its terminal state, if it has.
  std::optional<double> ended_at(double now) const;

  // Hosts visible at `now` with their progress (hosts appear progressively while running).
  std::vector<HostProgress> host_progress(double now) const;

  // Each returns false (and changes nothing) when the transition is not allowed now.
  bool stop(double now);    // active -> stopping -> canceled
  bool pause(double now);   // running -> pausing -> paused
  bool resume(double now);  // paused -> resuming -> running
  bool kill(double now);    // active -> aborted

 private:
  // Seconds of progress (pending + scanning) made by `now`, excluding paused time.
  double progress_seconds(double now) const;
  // Seconds of progress after which the run ends by itself (none for never_finish).
  std::optional<double> natural_end_seconds() const;
  // The epoch time at which `seconds` of progress are reached, given pauses so far.
  double time_of_progress(double seconds) const;

  std::string uuid_;
  std::int64_t history_id_;
  double launched_at_;
  RunTiming timing_;
  RunOutcome outcome_;
  std::vector<RunHost> hosts_;
  std::string targets_;
  double paused_total_ = 0;
  std::optional<double> paused_at_;
  std::optional<double> resumed_at_;
  std::optional<double> stopped_at_;
  std::optional<double> killed_at_;
};

}  // namespace sw::sim
