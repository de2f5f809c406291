// The status of a Nessus scan run (info.status, history[].status, the scan list's status)
// as a value: the one place that says which statuses are finished, which left results to
// export and which are still active (docs/nessus-api.md, "Run states").
#pragma once

#include <string_view>

namespace sw::nessus {

enum class RunStatus {
  pending,
  processing,
  running,
  paused,
  pausing,
  resuming,
  stopping,
  completed,
  imported,
  canceled,
  aborted,
  stopped,
  empty,    // a scan that was never launched
  unknown,  // any other text, the empty string included; counts as active
};

// The status named by `text` (exact, lower case as Nessus writes it); `unknown` otherwise.
RunStatus parse_run_status(std::string_view text);

// The Nessus text of a status; "unknown" for `unknown`.
std::string_view to_string(RunStatus status);

// Nothing runs any more: completed, imported, canceled, aborted, stopped, or empty (never launched).
bool is_finished(RunStatus status);

// The run may still change (pending, running, paused, stopping, ..., and unknown statuses).
bool is_active(RunStatus status);

// The run ended with results to export: completed or imported.
bool has_results(RunStatus status);

// The run was ended before it finished, by a person or by Nessus: canceled, aborted, stopped.
bool ended_without_results(RunStatus status);

}  // namespace sw::nessus
