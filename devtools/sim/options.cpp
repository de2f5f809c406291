// Simulator settings from JSON (see options.hpp).
#include "sim/options.hpp"

#include "core/errors.hpp"

namespace sw::sim {

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw core::Error(core::ErrorKind::bad_input, "simulator setting '" + key + "': " + why);
}

template <typename T>
T value_of(const std::string& key, const nlohmann::json& value) {
  try {
    return value.get<T>();
  } catch (const nlohmann::json::exception&) {
    bad(key, "wrong type");
  }
}

double share(const std::string& key, const nlohmann::json& value) {
  const auto number = value_of<double>(key, value);
  if (number < 0 || number > 1) {
    bad(key, "must be between 0 and 1");
  }
  return number;
}

double seconds(const std::string& key, const nlohmann::json& value) {
  const auto number = value_of<double>(key, value);
  if (number < 0) {
    bad(key, "must not be negative");
  }
  return number;
}

int conflict_code(const std::string& key, const nlohmann::json& value) {
  const auto code = value_of<int>(key, value);
  if (code != 409 && code != 500) {
    bad(key, "must be 409 or 500");
  }
  return code;
}

}  // namespace

std::optional<Profile> parse_profile(std::string_view text) {
  if (text == "manager") {
    return Profile::manager;
  }
  if (text == "professional") {
    return Profile::professional;
  }
  if (text == "essentials") {
    return Profile::essentials;
  }
  return std::nullopt;
}

std::string_view to_string(Profile profile) {
  switch (profile) {
    case Profile::manager:
      return "manager";
    case Profile::professional:
      return "professional";
    case Profile::essentials:
      return "essentials";
  }
  return "manager";
}

void apply_faults(SimOptions& options, const nlohmann::json& faults) {
  if (!faults.is_object()) {
    bad("faults", "must be a JSON object");
  }
  auto& f = options.faults;
  for (const auto& [key, value] : faults.items()) {
    if (key == "force_401_once") {
      f.force_401_once = value_of<bool>(key, value);
    } else if (key == "drop_body_on_412") {
      f.drop_body_on_412 = value_of<bool>(key, value);
    } else if (key == "error_rate_5xx") {
      f.error_rate_5xx = share(key, value);
    } else if (key == "slow_ms") {
      f.slow_ms = static_cast<int>(seconds(key, value));
    } else if (key == "slow_endpoints") {
      if (!value.is_object()) {
        bad(key, "must be an object of \"METHOD /path\": milliseconds");
      }
      f.slow_endpoints.clear();
      for (const auto& [endpoint, delay] : value.items()) {
        f.slow_endpoints[endpoint] = static_cast<int>(seconds(key, delay));
      }
    } else if (key == "slow_download_bytes_per_second") {
      f.slow_download_bytes_per_second = static_cast<std::size_t>(seconds(key, value));
    } else if (key == "reset_rate") {
      f.reset_rate = share(key, value);
    } else if (key == "export_error") {
      f.export_error = value_of<bool>(key, value);
    } else if (key == "export_failures") {
      f.export_failures = static_cast<int>(seconds(key, value));
    } else if (key == "close_on_refused_write") {
      f.close_on_refused_write = value_of<bool>(key, value);
    } else if (key == "refuse_scan_control") {
      f.refuse_scan_control = value_of<bool>(key, value);
    } else if (key == "logout_null_body") {
      f.logout_null_body = value_of<bool>(key, value);
    } else if (key == "stale_status_after_launch") {
      f.stale_status_after_launch = seconds(key, value);
    } else if (key == "launch_running_code") {
      f.launch_running_code = conflict_code(key, value);
    } else if (key == "delete_running_code") {
      f.delete_running_code = conflict_code(key, value);
    } else if (key == "server_loading") {
      f.server_loading = value_of<bool>(key, value);
    } else if (key == "session_idle_timeout") {
      options.session_idle_timeout = seconds(key, value);
    } else {
      bad(key, "unknown fault");
    }
  }
}

nlohmann::json faults_to_json(const SimOptions& options) {
  const auto& f = options.faults;
  return {{"force_401_once", f.force_401_once},
          {"drop_body_on_412", f.drop_body_on_412},
          {"error_rate_5xx", f.error_rate_5xx},
          {"slow_ms", f.slow_ms},
          {"slow_endpoints", f.slow_endpoints},
          {"slow_download_bytes_per_second", f.slow_download_bytes_per_second},
          {"reset_rate", f.reset_rate},
          {"export_error", f.export_error},
          {"export_failures", f.export_failures},
          {"close_on_refused_write", f.close_on_refused_write},
          {"refuse_scan_control", f.refuse_scan_control},
          {"logout_null_body", f.logout_null_body},
          {"stale_status_after_launch", f.stale_status_after_launch},
          {"launch_running_code", f.launch_running_code},
          {"delete_running_code", f.delete_running_code},
          {"server_loading", f.server_loading},
          {"session_idle_timeout", options.session_idle_timeout}};
}

ScenarioRule parse_scenario_rule(const nlohmann::json& rule) {
  if (!rule.is_object() || !rule.contains("match") || !rule.contains("scenario")) {
    bad("scenarios", "each rule needs \"match\" and \"scenario\"");
  }
  const auto match = value_of<std::string>("match", rule.at("match"));
  const auto name = value_of<std::string>("scenario", rule.at("scenario"));
  const auto scenario = parse_scenario(name);
  if (match.empty() || !scenario) {
    bad("scenarios", "empty match or unknown scenario '" + name + "'");
  }
  return ScenarioRule{match, *scenario};
}

void apply_config(SimOptions& options, const nlohmann::json& config) {
  if (!config.is_object()) {
    bad("config", "must be a JSON object");
  }
  for (const auto& [key, value] : config.items()) {
    if (key == "profile") {
      const auto profile = parse_profile(value_of<std::string>(key, value));
      if (!profile) {
        bad(key, "must be manager, professional or essentials");
      }
      options.profile = *profile;
    } else if (key == "username") {
      options.username = value_of<std::string>(key, value);
    } else if (key == "password") {
      options.password = value_of<std::string>(key, value);
    } else if (key == "access_key") {
      options.access_key = value_of<std::string>(key, value);
    } else if (key == "secret_key") {
      options.secret_key = value_of<std::string>(key, value);
    } else if (key == "api_token") {
      options.api_token = value_of<std::string>(key, value);
    } else if (key == "custom_scan_template") {
      options.custom_scan_template = value_of<std::string>(key, value);
    } else if (key == "session_idle_timeout") {
      options.session_idle_timeout = seconds(key, value);
    } else if (key == "max_login_attempts") {
      options.max_login_attempts = value_of<int>(key, value);
    } else if (key == "folder_layout") {
      const auto layout = value_of<std::string>(key, value);
      if (layout == "nessus7") {
        options.folder_layout = FolderLayout::nessus7;
      } else if (layout == "nessus6") {
        options.folder_layout = FolderLayout::nessus6;
      } else if (layout == "nessus10") {
        options.folder_layout = FolderLayout::nessus10;
      } else {
        bad(key, "must be nessus7, nessus6 or nessus10");
      }
    } else if (key == "pending_seconds") {
      options.timing.pending_seconds = seconds(key, value);
    } else if (key == "scan_seconds") {
      options.timing.scan_seconds = seconds(key, value);
    } else if (key == "transition_seconds") {
      options.timing.transition_seconds = seconds(key, value);
    } else if (key == "export_seconds") {
      options.export_seconds = seconds(key, value);
    } else if (key == "hosts_per_target") {
      options.expansion.hosts_per_target = value_of<int>(key, value);
    } else if (key == "cidr_cap") {
      options.expansion.cidr_cap = value_of<std::size_t>(key, value);
    } else if (key == "plugin_set_size") {
      options.plugin_set_size = value_of<std::size_t>(key, value);
    } else if (key == "findings_per_host") {
      options.findings_per_host = value_of<int>(key, value);
    } else if (key == "seed") {
      options.seed = value_of<std::uint64_t>(key, value);
    } else if (key == "faults") {
      apply_faults(options, value);
    } else if (key == "scenarios") {
      if (!value.is_array()) {
        bad(key, "must be an array of rules");
      }
      for (const auto& rule : value) {
        options.scenario_rules.push_back(parse_scenario_rule(rule));
      }
    } else {
      bad(key, "unknown key");
    }
  }
}

}  // namespace sw::sim
