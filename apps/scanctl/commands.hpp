// Registration of scanctl's subcommands: each adds itself to the app and, when run,
// stores the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

#include "results/validator.hpp"

namespace sw::scanctl {

// The exit code of validate and results for a failure of the export file: the same
// failure gives the same code in both (export_exit_codes_help).
int export_exit_code(results::ValidationError error);
extern const char* const export_exit_codes_help;

// scanctl validate FILE [--scan-type T] [--auth-min-success-percent N].
void add_validate_command(CLI::App& app, int& exit_code);

// scanctl results TASK_ID|FILE [...].
void add_results_command(CLI::App& app, int& exit_code);

// scanctl submit ...: queue a scan (task.json + LPUSH), optionally idempotent.
void add_submit_command(CLI::App& app, int& exit_code);

// scanctl status TASK_ID [--watch] and scanctl list [filters].
void add_task_commands(CLI::App& app, int& exit_code);

// scanctl queue [POOL] and scanctl dlq list|show|retry|purge.
void add_queue_commands(CLI::App& app, int& exit_code);

// scanctl scanners [POOL], scanctl pools [POOL] and scanctl workers.
void add_capacity_commands(CLI::App& app, int& exit_code);

}  // namespace sw::scanctl
