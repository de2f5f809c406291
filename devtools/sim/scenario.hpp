// Scenarios: how a simulated run ends and how credentials fare on each host, chosen per
// target host name by rules (overrides from the config file and POST /__sim/scenario first,
// then the built-in rules below).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exportgen/export_writer.hpp"

namespace sw::sim {

enum class Scenario {
  complete,                     // run ends `completed` (default)
  abort,                        // run ends `aborted` half-way
  never_finish,                 // run stays `running`
  auth_success,                 // credentials work on the host (default when the scan has SSH credentials)
  auth_fail,                    // credentials refused on the host
  auth_insufficient_privilege,  // login works, privilege is insufficient
  no_creds,                     // the host reports no credentials used
};

std::optional<Scenario> parse_scenario(std::string_view name);
std::string_view to_string(Scenario scenario);

enum class RunOutcome { complete, abort, never_finish };

struct ScenarioRule {
  std::string match;  // substring of the target host name
  Scenario scenario;
};

// Built-in rules: "abort" -> abort, "never" -> never_finish, "authfail" -> auth_fail,
// "authpriv" -> auth_insufficient_privilege, "nocreds" -> no_creds.
const std::vector<ScenarioRule>& builtin_scenario_rules();

class ScenarioRules {
 public:
  // Overrides added later take precedence over earlier ones and over the built-in rules.
  void add_override(ScenarioRule rule);
  const std::vector<ScenarioRule>& overrides() const { return overrides_; }

  RunOutcome outcome_for_host(std::string_view host_name) const;
  exportgen::HostAuth auth_for_host(std::string_view host_name, bool scan_has_credentials) const;

 private:
  template <typename Accept>
  std::optional<Scenario> first_match(std::string_view host_name, Accept accept) const;

  std::vector<ScenarioRule> overrides_;  // newest first
};

// The run's outcome over all its hosts: abort beats never_finish beats complete.
RunOutcome combine_outcomes(RunOutcome a, RunOutcome b);

}  // namespace sw::sim
