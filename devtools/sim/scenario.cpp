// Scenario rules (see scenario.hpp).
#include "sim/scenario.hpp"

#include <array>
#include <utility>

namespace sw::sim {

namespace {

constexpr std::array<std::pair<Scenario, std::string_view>, 7> scenario_names{{
    {Scenario::complete, "complete"},
    {Scenario::abort, "abort"},
    {Scenario::never_finish, "never_finish"},
    {Scenario::auth_success, "auth_success"},
    {Scenario::auth_fail, "auth_fail"},
    {Scenario::auth_insufficient_privilege, "auth_insufficient_privilege"},
    {Scenario::no_creds, "no_creds"},
}};

bool is_outcome(Scenario scenario) {
  return scenario == Scenario::complete || scenario == Scenario::abort || scenario == Scenario::never_finish;
}

}  // namespace

std::optional<Scenario> parse_scenario(std::string_view name) {
  for (const auto& [scenario, text] : scenario_names) {
    if (text == name) {
      return scenario;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Scenario scenario) {
  for (const auto& [value, text] : scenario_names) {
    if (value == scenario) {
      return text;
    }
  }
  return "complete";
}

const std::vector<ScenarioRule>& builtin_scenario_rules() {
  static const std::vector<ScenarioRule> rules{
      {"abort", Scenario::abort},        {"never", Scenario::never_finish},
      {"authfail", Scenario::auth_fail}, {"authpriv", Scenario::auth_insufficient_privilege},
      {"nocreds", Scenario::no_creds},
  };
  return rules;
}

void ScenarioRules::add_override(ScenarioRule rule) { overrides_.insert(overrides_.begin(), std::move(rule)); }

template <typename Accept>
std::optional<Scenario> ScenarioRules::first_match(std::string_view host_name, Accept accept) const {
  for (const auto* rules : {&overrides_, &builtin_scenario_rules()}) {
    for (const auto& rule : *rules) {
      if (accept(rule.scenario) && host_name.find(rule.match) != std::string_view::npos) {
        return rule.scenario;
      }
    }
  }
  return std::nullopt;
}

RunOutcome ScenarioRules::outcome_for_host(std::string_view host_name) const {
  switch (first_match(host_name, is_outcome).value_or(Scenario::complete)) {
    case Scenario::abort:
      return RunOutcome::abort;
    case Scenario::never_finish:
      return RunOutcome::never_finish;
    default:
      return RunOutcome::complete;
  }
}

exportgen::HostAuth ScenarioRules::auth_for_host(std::string_view host_name, bool scan_has_credentials) const {
  if (!scan_has_credentials) {
    return exportgen::HostAuth::not_attempted;
  }
  const auto scenario = first_match(host_name, [](Scenario s) { return !is_outcome(s); });
  switch (scenario.value_or(Scenario::auth_success)) {
    case Scenario::auth_fail:
      return exportgen::HostAuth::failure;
    case Scenario::auth_insufficient_privilege:
      return exportgen::HostAuth::insufficient_privilege;
    case Scenario::no_creds:
      return exportgen::HostAuth::not_attempted;
    default:
      return exportgen::HostAuth::success;
  }
}

RunOutcome combine_outcomes(RunOutcome a, RunOutcome b) {
  if (a == RunOutcome::abort || b == RunOutcome::abort) {
    return RunOutcome::abort;
  }
  if (a == RunOutcome::never_finish || b == RunOutcome::never_finish) {
    return RunOutcome::never_finish;
  }
  return RunOutcome::complete;
}

}  // namespace sw::sim
