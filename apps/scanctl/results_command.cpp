// scanctl results: prints a task's (or a file's) findings as JSON-NL (docs/results.md),
// a page read through the export's results index unless --no-index.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "results/filters.hpp"
#include "results/jsonl_results.hpp"
#include "results/nessus_reader.hpp"
#include "settings.hpp"

namespace sw::scanctl {
namespace {

struct ResultsOptions {
  std::string target;
  std::string data_dir;
  std::string profile = "brief";
  std::vector<std::string> fields;
  std::vector<std::string> filters;
  int page = 1;
  int page_size = 40;
  bool no_index = false;
};

std::string default_data_dir() {
  const char* env = std::getenv("DATA_DIR");
  return env && *env ? env : "/app/data/tasks";
}

// A target that names a file (it exists, has a '/' or ends in ".nessus") is that path, so
// a missing file is reported by the name typed; anything else is a task id resolved under
// the data folder.
std::filesystem::path export_path(const ResultsOptions& options) {
  const std::filesystem::path typed(options.target);
  const bool names_a_file =
      options.target.find('/') != std::string::npos || typed.extension() == ".nessus" || std::filesystem::exists(typed);
  if (names_a_file) return typed;
  core::require_valid_task_id(options.target);
  return std::filesystem::path(options.data_dir) / options.target / "scan_native.nessus";
}

int run_results(const ResultsOptions& options) {
  try {
    results::ResultsQuery query;
    query.profile = options.profile;
    query.custom_fields = options.fields;
    for (const std::string& filter : options.filters) query.filters.push_back(results::parse_filter(filter));
    query.page = options.page;
    query.page_size = options.page_size;
    results::write_results(export_path(options), query, std::cout,
                           options.no_index ? results::ResultsPath::whole_export : results::ResultsPath::indexed);
    std::cout.flush();
    return exit_ok;
  } catch (const results::ReadError& e) {
    std::cerr << "scanctl results: " << e.what() << '\n';
    return export_exit_code(results::validation_error_of(e.failure()));
  } catch (const core::Error& e) {
    std::cerr << "scanctl results: " << e.what() << '\n';
    return exit_usage;
  }
}

}  // namespace

void add_results_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ResultsOptions>();
  options->data_dir = default_data_dir();
  CLI::App* command = app.add_subcommand("results", "Print scan results as JSON-NL (get_scan_results format)");
  command->add_option("target", options->target, "task id (DATA_DIR/<id>/scan_native.nessus) or .nessus file")
      ->required();
  command->add_option("--data-dir", options->data_dir, "task folder root (default $DATA_DIR or /app/data/tasks)");
  command->add_option("--profile", options->profile, "minimal | summary | brief | full");
  command->add_option("--fields", options->fields, "custom fields, comma separated")->delimiter(',');
  command->add_option("--filter", options->filters,
                      "field=value (repeatable; all must match): true/false, >=N <=N >N <N =N compare numbers "
                      "(severity=>=3, cvss3_base_score=>=7.0), else a case-insensitive substring");
  command->add_option("--page", options->page, "page number, 0 for everything");
  command->add_option("--page-size", options->page_size, "records per page (clamped to 10..100)");
  command->add_flag("--no-index", options->no_index,
                    "read the whole export instead of its results index (<export>.idx, built when missing or "
                    "stale); the output is the same");
  command->footer(std::string("Schema line: total_vulnerabilities = matching records of severity 1-4 (without info, "
                              "as validate), total_records = all matching records (the pages). plugin_output and "
                              "other texts are cut at 256 KiB, marked \"plugin_output_truncated\": true.\n") +
                  export_exit_codes_help);
  command->callback([options, &exit_code] { exit_code = run_results(*options); });
}

}  // namespace sw::scanctl
