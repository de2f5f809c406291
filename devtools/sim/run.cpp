// The lazily computed run state machine (see run.hpp).
#include "sim/run.hpp"

#include <algorithm>

namespace sw::sim {

Run::Run(std::string uuid, std::int64_t history_id, double launched_at, RunTiming timing, RunOutcome outcome,
         std::vector<RunHost> hosts, std::string targets)
    : uuid_(std::move(uuid)),
      history_id_(history_id),
      launched_at_(launched_at),
      timing_(timing),
      outcome_(outcome),
      hosts_(std::move(hosts)),
      targets_(std::move(targets)) {}

std::optional<double> Run::natural_end_seconds() const {
  switch (outcome_) {
    case RunOutcome::complete:
      return timing_.pending_seconds + timing_.scan_seconds;
    case RunOutcome::abort:
      return timing_.pending_seconds + timing_.scan_seconds / 2;
    case RunOutcome::never_finish:
      return std::nullopt;
  }
  return std::nullopt;
}

double Run::time_of_progress(double seconds) const { return launched_at_ + paused_total_ + seconds; }

double Run::progress_seconds(double now) const {
  double until = now;
  for (const auto& frozen : {paused_at_, stopped_at_, killed_at_}) {
    if (frozen) {
      until = std::min(until, *frozen);
    }
  }
  double seconds = until - launched_at_ - paused_total_;
  if (const auto end = natural_end_seconds()) {
    seconds = std::min(seconds, *end);
  }
  return std::max(0.0, seconds);
}

std::optional<double> Run::ended_at(double now) const {
  if (killed_at_) {
    return *killed_at_;
  }
  if (stopped_at_) {
    const double canceled_at = *stopped_at_ + timing_.transition_seconds;
    return now >= canceled_at ? std::optional<double>(canceled_at) : std::nullopt;
  }
  if (paused_at_) {
    return std::nullopt;
  }
  if (const auto end = natural_end_seconds()) {
    const double end_time = time_of_progress(*end);
    if (now >= end_time) {
      return end_time;
    }
  }
  return std::nullopt;
}

std::string Run::status(double now) const {
  if (killed_at_) {
    return "aborted";
  }
  if (stopped_at_) {
    return now < *stopped_at_ + timing_.transition_seconds ? "stopping" : "canceled";
  }
  if (paused_at_) {
    return now < *paused_at_ + timing_.transition_seconds ? "pausing" : "paused";
  }
  if (ended_at(now)) {
    return outcome_ == RunOutcome::abort ? "aborted" : "completed";
  }
  if (resumed_at_ && now < *resumed_at_ + timing_.transition_seconds) {
    return "resuming";
  }
  return progress_seconds(now) < timing_.pending_seconds ? "pending" : "running";
}

bool Run::active(double now) const {
  const auto current = status(now);
  return current != "completed" && current != "canceled" && current != "aborted";
}

std::vector<HostProgress> Run::host_progress(double now) const {
  std::vector<HostProgress> visible;
  const double scanning = progress_seconds(now) - timing_.pending_seconds;
  if (scanning < 0 || hosts_.empty()) {
    return visible;
  }
  const bool completed = status(now) == "completed";
  // Host i appears at i/(2n) of the scan phase and needs half of the phase for its checks,
  // so all hosts finish when the phase ends.
  const double phase = std::max(timing_.scan_seconds, 1e-9);
  const double count = static_cast<double>(hosts_.size());
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const double appears = phase * static_cast<double>(i) / (2 * count);
    if (!completed && scanning < appears) {
      break;
    }
    const double fraction = completed ? 1.0 : std::clamp((scanning - appears) / (phase / 2), 0.0, 1.0);
    visible.push_back(HostProgress{i, fraction});
  }
  return visible;
}

bool Run::stop(double now) {
  if (!active(now) || stopped_at_) {
    return false;
  }
  stopped_at_ = now;
  return true;
}

bool Run::pause(double now) {
  const auto current = status(now);
  if (current != "running" && current != "resuming") {
    return false;
  }
  paused_at_ = now;
  resumed_at_.reset();
  return true;
}

bool Run::resume(double now) {
  if (status(now) != "paused") {
    return false;
  }
  paused_total_ += now - *paused_at_;
  paused_at_.reset();
  resumed_at_ = now;
  return true;
}

bool Run::kill(double now) {
  if (!active(now)) {
    return false;
  }
  killed_at_ = now;
  return true;
}

}  // namespace sw::sim
