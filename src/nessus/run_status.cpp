// Nessus run statuses: the table of their texts and how each one ends; see run_status.hpp.
#include "nessus/run_status.hpp"

#include <algorithm>
#include <array>

namespace sw::nessus {
namespace {

enum class Phase { active, ended_with_results, ended_without_results, never_run };

struct Known {
  RunStatus status;
  std::string_view text;
  Phase phase;
};

constexpr std::array<Known, 13> kKnown{{
    {RunStatus::pending, "pending", Phase::active},
    {RunStatus::processing, "processing", Phase::active},
    {RunStatus::running, "running", Phase::active},
    {RunStatus::paused, "paused", Phase::active},
    {RunStatus::pausing, "pausing", Phase::active},
    {RunStatus::resuming, "resuming", Phase::active},
    {RunStatus::stopping, "stopping", Phase::active},
    {RunStatus::completed, "completed", Phase::ended_with_results},
    {RunStatus::imported, "imported", Phase::ended_with_results},
    {RunStatus::canceled, "canceled", Phase::ended_without_results},
    {RunStatus::aborted, "aborted", Phase::ended_without_results},
    {RunStatus::stopped, "stopped", Phase::ended_without_results},
    {RunStatus::empty, "empty", Phase::never_run},
}};

Phase phase_of(RunStatus status) {
  const auto* known = std::find_if(kKnown.begin(), kKnown.end(), [&](const Known& k) { return k.status == status; });
  return known == kKnown.end() ? Phase::active : known->phase;
}

}  // namespace

RunStatus parse_run_status(std::string_view text) {
  const auto* known = std::find_if(kKnown.begin(), kKnown.end(), [&](const Known& k) { return k.text == text; });
  return known == kKnown.end() ? RunStatus::unknown : known->status;
}

std::string_view to_string(RunStatus status) {
  const auto* known = std::find_if(kKnown.begin(), kKnown.end(), [&](const Known& k) { return k.status == status; });
  return known == kKnown.end() ? "unknown" : known->text;
}

bool is_finished(RunStatus status) { return phase_of(status) != Phase::active; }

bool is_active(RunStatus status) { return !is_finished(status); }

bool has_results(RunStatus status) { return phase_of(status) == Phase::ended_with_results; }

bool ended_without_results(RunStatus status) { return phase_of(status) == Phase::ended_without_results; }

}  // namespace sw::nessus
