// scanctl validate: prints validate_export's JSON for a .nessus file; also the exit codes
// that validate and results share.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "config/environment.hpp"
#include "core/errors.hpp"
#include "core/scan_type.hpp"
#include "results/validator.hpp"
#include "settings.hpp"

namespace sw::scanctl {

const char* const export_exit_codes_help =
    "Exit codes (validate and results alike): 0 ok; 1 the export is invalid (not well-formed XML, not a "
    "NessusClientData_v2 export, a DOCTYPE with declarations; validate also: smaller than 256 bytes, no hosts, "
    "authentication failed); 2 the file is missing or unreadable, or a usage error (unknown scan type, profile, "
    "filter, task id).";

int export_exit_code(results::ValidationError error) {
  switch (error) {
    case results::ValidationError::file_not_found:
    case results::ValidationError::other:
      return exit_usage;
    case results::ValidationError::too_small:
    case results::ValidationError::xml_invalid:
    case results::ValidationError::empty_scan:
    case results::ValidationError::auth_failed:
      return exit_not_found;
  }
  return exit_usage;
}

namespace {

struct ValidateOptions {
  std::string file;
  std::string scan_type = "untrusted";
  int min_success_percent = 0;  // 0: $AUTH_MIN_SUCCESS_PERCENT, else unset
};

int run_validate(const ValidateOptions& options) {
  const auto scan_type = core::parse_scan_type(options.scan_type);
  if (!scan_type) {
    std::cerr << "scanctl validate: unknown scan type '" << options.scan_type << "'\n";
    return exit_usage;
  }
  results::AuthPolicy policy;
  if (options.min_success_percent > 0) {
    policy.min_success_percent = options.min_success_percent;
  } else {
    try {
      policy.min_success_percent = config::load_environment().auth_min_success_percent;
    } catch (const core::Error& e) {
      std::cerr << "scanctl validate: " << e.what() << '\n';
      return exit_usage;
    }
  }
  const results::ValidationResult result = results::validate_export(options.file, *scan_type, policy);
  std::cout << result.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  if (result.valid) return exit_ok;
  return export_exit_code(result.error.value_or(results::ValidationError::other));
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = app.add_subcommand("validate", "Validate a .nessus export and print the result as JSON");
  command->add_option("file", options->file, "the .nessus file")->required();
  command->add_option("--scan-type", options->scan_type,
                      "untrusted | authenticated | authenticated_privileged (or the legacy trusted_* names)");
  command
      ->add_option("--auth-min-success-percent", options->min_success_percent,
                   "share of target hosts that must log in (1-100; default $AUTH_MIN_SUCCESS_PERCENT, "
                   "unset: at least one); see docs/authentication.md")
      ->check(CLI::Range(1, 100));
  command->footer(export_exit_codes_help);
  command->callback([options, &exit_code] { exit_code = run_validate(*options); });
}

}  // namespace sw::scanctl
