// scanner-mcp's configuration: the worker's environment (REDIS_URL, DATA_DIR,
// SCANNER_CONFIG, LOG_*) and the MCP_* variables (docs/mcp.md#configuration).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/environment.hpp"

namespace sw::mcp {

struct McpSettings {
  config::Environment environment;
  std::string listen_host = "127.0.0.1";  // MCP_LISTEN_ADDR (host:port)
  std::uint16_t listen_port = 8000;
  std::vector<std::string> allowed_origins;             // MCP_ALLOWED_ORIGINS; empty: loopback origins only
  std::filesystem::path auth_tokens_file;               // MCP_AUTH_TOKENS_FILE
  std::filesystem::path credentials_file;               // MCP_CREDENTIALS_FILE
  std::chrono::milliseconds session_idle{3600 * 1000};  // MCP_SESSION_IDLE_SECONDS
  std::size_t max_sessions = 10000;                     // MCP_MAX_SESSIONS
  std::chrono::milliseconds read_timeout{30000};        // MCP_READ_TIMEOUT_SECONDS: slow or idle clients
  std::size_t max_targets = 100;                        // MCP_MAX_TARGETS: target entries per scan
  std::size_t lanes = 4;                                // MCP_WORKER_THREADS: tool calls at once
  std::size_t wait_lanes = 16;                      // MCP_WAIT_THREADS: waiting get_scan_status calls at once (HTTP)
  std::chrono::milliseconds status_poll{500};       // MCP_STATUS_POLL_SECONDS: get_scan_status wait_seconds
  std::chrono::seconds idempotency_ttl{48 * 3600};  // as the Python server: 48 h
  std::size_t results_cache_bytes = 64u << 20;      // MCP_RESULTS_CACHE_MB: rendered result pages
};

// Reads the variables from `variables` (the process environment when null). Throws
// core::Error(bad_input) naming the variable for a bad value.
McpSettings load_settings(const std::map<std::string, std::string>* variables = nullptr);

// Whether `host` is a loopback address or "localhost" (then bearer tokens are optional).
bool is_loopback_host(const std::string& host);

}  // namespace sw::mcp
