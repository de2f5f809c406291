// The Streamable HTTP transport (MCP 2025-06-18 / 2025-11-25) on an http::Server: one
// endpoint (default /mcp) where POST carries a JSON-RPC message and is answered with
// application/json (or text/event-stream for a tools/call that reports progress), DELETE
// ends a session, and GET (Accept: text/event-stream) opens the session's event stream: the
// server starts no messages of its own, so it carries keep-alive comments until the session ends;
// /healthz, /readyz and /metrics beside it. Sessions (Mcp-Session-Id) are made by
// initialize and expire when idle; the MCP-Protocol-Version header is checked; Origin is
// checked against an allow-list (DNS rebinding); bearer tokens are compared by their
// SHA-256 in constant time. Runs on the server's single-threaded io_context; tool calls run
// on the Lanes, calls that wait (get_scan_status with wait_seconds) on lanes of their own so
// that they never hold up the quick ones.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dashboard/dashboard.hpp"
#include "http/server.hpp"
#include "mcp/lanes.hpp"
#include "mcp/protocol.hpp"

namespace sw::mcp {

struct HttpOptions {
  std::string path = "/mcp";
  std::vector<std::string> allowed_origins;  // exact origins ("https://app.example"); empty: loopback only
  std::vector<std::string> token_hashes;     // SHA-256 hex of the accepted tokens; empty: no auth
  std::chrono::milliseconds session_idle{3600 * 1000};
  std::size_t max_sessions = 10000;
  // The operators' dashboard under /ui/ (src/dashboard), served on the same listener; null
  // when no bearer token is configured (the dashboard always needs a login).
  std::shared_ptr<dashboard::Dashboard> dashboard;
};

// Whether `token` is one of the tokens whose SHA-256 hashes are `hashes` (constant time).
bool token_accepted(std::string_view token, const std::vector<std::string>& hashes);

// The SHA-256 hashes of the tokens in `file` (one per line; blank lines and lines starting
// with '#' skipped). Throws core::Error(bad_input) naming the file (never a token) when it
// cannot be read, is readable by group or others, or holds no token.
std::vector<std::string> load_token_hashes(const std::filesystem::path& file);

// Whether a browser page from `origin` may call the server: one of `allowed`, or with an
// empty list an http(s) origin on localhost, 127.0.0.0/8 or [::1].
bool origin_allowed(const std::string& origin, const std::vector<std::string>& allowed);

class HttpTransport {
 public:
  HttpTransport(HttpOptions options, const Protocol& protocol, Lanes& lanes, Lanes& wait_lanes);

  // The http::Handler.
  boost::asio::awaitable<void> handle(const http::Request& request, http::Connection& connection);

 private:
  struct Session {
    SessionState state;
    std::chrono::steady_clock::time_point last_used;
  };

  boost::asio::awaitable<void> handle_mcp(const http::Request& request, http::Connection& connection);
  boost::asio::awaitable<void> post(const http::Request& request, http::Connection& connection);
  boost::asio::awaitable<void> stream_progress(const nlohmann::json& message, SessionState state,
                                               const std::string& session_id, http::Connection& connection);
  boost::asio::awaitable<void> readiness(http::Connection& connection);
  boost::asio::awaitable<void> listen(const std::string& session_id, http::Connection& connection);
  boost::asio::awaitable<void> serve_dashboard(const http::Request& request, http::Connection& connection);
  bool authorized(const http::Request& request) const;
  std::optional<http::Response> session_refusal(const std::string& session_id, bool known, unsigned version);
  void expire_sessions();
  std::string metrics_text() const;
  void count(std::string_view what);

  HttpOptions options_;
  const Protocol& protocol_;
  Lanes& lanes_;
  Lanes& wait_lanes_;
  std::unordered_map<std::string, Session> sessions_;
  std::chrono::steady_clock::time_point last_sweep_{};
  std::map<std::string, std::uint64_t> counters_;  // "name{labels}" -> count, for /metrics
};

}  // namespace sw::mcp
