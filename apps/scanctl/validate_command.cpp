// scanctl validate: prints validate_export's JSON for a .nessus file.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "core/scan_type.hpp"
#include "results/validator.hpp"

namespace sw::scanctl {
namespace {

constexpr int exit_valid = 0;
constexpr int exit_invalid = 1;
constexpr int exit_unreadable = 2;

struct ValidateOptions {
  std::string file;
  std::string scan_type = "untrusted";
};

int run_validate(const ValidateOptions& options) {
  const auto scan_type = core::parse_scan_type(options.scan_type);
  if (!scan_type) {
    std::cerr << "scanctl validate: unknown scan type '" << options.scan_type << "'\n";
    return exit_unreadable;
  }
  const results::ValidationResult result = results::validate_export(options.file, *scan_type);
  std::cout << result.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  if (result.valid) return exit_valid;
  const bool unreadable = result.error == results::ValidationError::file_not_found ||
                          result.error == results::ValidationError::other;
  return unreadable ? exit_unreadable : exit_invalid;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = app.add_subcommand("validate", "Validate a .nessus export and print the result as JSON");
  command->add_option("file", options->file, "the .nessus file")->required();
  command->add_option("--scan-type", options->scan_type,
                      "untrusted | authenticated | authenticated_privileged (or the legacy trusted_* names)");
  command->callback([options, &exit_code] { exit_code = run_validate(*options); });
}

}  // namespace sw::scanctl
