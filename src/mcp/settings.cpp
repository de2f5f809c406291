// MCP_* variables.
#include "mcp/settings.hpp"

#include <optional>

#include "config/values.hpp"
#include "config/variables.hpp"
#include "core/errors.hpp"

namespace sw::mcp {
namespace {

using Variables = const std::map<std::string, std::string>*;

std::optional<std::string> lookup(Variables variables, const std::string& name) {
  auto value = config::lookup_variable(variables, name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& wanted) {
  throw core::Error(core::ErrorKind::bad_input, name + "='" + value + "' is not " + wanted);
}

std::chrono::milliseconds seconds(Variables variables, const std::string& name, std::chrono::milliseconds fallback) {
  const auto text = lookup(variables, name);
  if (!text) return fallback;
  const auto value = config::parse_number(*text);
  if (!value || *value <= 0 || *value > 365.0 * 86400) bad(name, *text, "a positive number of seconds");
  return std::chrono::milliseconds(static_cast<long long>(*value * 1000));
}

std::size_t count(Variables variables, const std::string& name, std::size_t fallback, std::size_t most) {
  const auto text = lookup(variables, name);
  if (!text) return fallback;
  const auto value = config::parse_integer(*text);
  if (!value || *value < 1 || static_cast<std::size_t>(*value) > most) {
    bad(name, *text, "a whole number from 1 to " + std::to_string(most));
  }
  return static_cast<std::size_t>(*value);
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 as a dotted quad of numbers.
  if (host.rfind("127.", 0) != 0 || host.find_first_not_of("0123456789.") != std::string::npos) return false;
  int dots = 0;
  for (std::size_t i = 0; i < host.size(); ++i) {
    if (host[i] != '.') continue;
    if (i + 1 == host.size() || host[i + 1] == '.') return false;
    ++dots;
  }
  return dots == 3;
}

McpSettings load_settings(const std::map<std::string, std::string>* variables) {
  const Variables vars = variables;
  McpSettings settings;
  settings.environment = config::load_environment(vars);
  if (const auto address = lookup(vars, "MCP_LISTEN_ADDR")) {
    const auto [host, port] = config::parse_listen_address(*address, "MCP_LISTEN_ADDR");
    settings.listen_host = host;
    settings.listen_port = port;
  }
  if (const auto origins = lookup(vars, "MCP_ALLOWED_ORIGINS")) {
    std::size_t start = 0;
    while (start <= origins->size()) {
      const auto comma = origins->find(',', start);
      std::string origin = origins->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!origin.empty() && origin.front() == ' ') origin.erase(origin.begin());
      while (!origin.empty() && (origin.back() == ' ' || origin.back() == '/')) origin.pop_back();
      if (!origin.empty()) settings.allowed_origins.push_back(origin);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (const auto file = lookup(vars, "MCP_AUTH_TOKENS_FILE")) settings.auth_tokens_file = *file;
  if (const auto file = lookup(vars, "MCP_CREDENTIALS_FILE")) settings.credentials_file = *file;
  settings.session_idle = seconds(vars, "MCP_SESSION_IDLE_SECONDS", settings.session_idle);
  settings.read_timeout = seconds(vars, "MCP_READ_TIMEOUT_SECONDS", settings.read_timeout);
  settings.status_poll = seconds(vars, "MCP_STATUS_POLL_SECONDS", settings.status_poll);
  settings.max_sessions = count(vars, "MCP_MAX_SESSIONS", settings.max_sessions, 1000000);
  settings.max_targets = count(vars, "MCP_MAX_TARGETS", settings.max_targets, 100000);
  settings.lanes = count(vars, "MCP_WORKER_THREADS", settings.lanes, 64);
  settings.wait_lanes = count(vars, "MCP_WAIT_THREADS", settings.wait_lanes, 256);
  settings.results_cache_bytes = count(vars, "MCP_RESULTS_CACHE_MB", settings.results_cache_bytes >> 20, 65536) << 20;
  if (!is_loopback_host(settings.listen_host) && settings.auth_tokens_file.empty()) {
    throw core::Error(core::ErrorKind::bad_input, "MCP_LISTEN_ADDR " + settings.listen_host +
                                                      " is not a loopback address: set MCP_AUTH_TOKENS_FILE (bearer "
                                                      "tokens are required off loopback)");
  }
  return settings;
}

}  // namespace sw::mcp
