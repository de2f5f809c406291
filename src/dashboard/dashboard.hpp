// The operators' dashboard (docs/dashboard.md), served under /ui/ by scanner-mcp on the MCP
// listener: a login form that takes one of the MCP bearer tokens and sets an HttpOnly,
// SameSite=Strict session cookie; server-rendered pages that work without JavaScript
// (app.js only refreshes them in place); actions as POST forms with a CSRF token; a strict
// Content Security Policy on every answer. Thread-safe; handle() blocks (Redis, files), so
// the program calls it off its event loop.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "config/scanners.hpp"
#include "dashboard/read_model.hpp"
#include "dashboard/sessions.hpp"
#include "http/server.hpp"
#include "queue/redis_connection.hpp"

namespace sw::dashboard {

struct DashboardOptions {
  // True for one of the MCP endpoint's bearer tokens (compared as the MCP server compares them).
  std::function<bool(std::string_view token)> verify_token;
  queue::RedisOptions redis;
  std::filesystem::path data_dir;
  // The current scanners.yaml (pools and scanners to show).
  std::function<config::ScannersConfig()> scanners;
  std::chrono::seconds session_idle{3600};
  std::size_t max_sessions = 1000;
  bool secure_cookie = false;  // add Secure to the cookie (the listener speaks TLS)
};

class Dashboard {
 public:
  explicit Dashboard(DashboardOptions options);

  // Whether a request target belongs to the dashboard ("/ui" and below).
  static bool serves(std::string_view target);

  // A page, a redirect or an error; or the head of a download whose body is `file`.
  struct Reply {
    http::Response response;
    std::optional<std::filesystem::path> file;
  };
  Reply handle(const http::Request& request);

  // Sends a reply on the event loop, streaming a download's file in pieces.
  static boost::asio::awaitable<bool> send(Reply reply, http::Connection& connection);

 private:
  Reply route(const http::Request& request);
  Reply authenticated(const http::Request& request, const UiSession& session, ReadModel& model);
  Reply act(const http::Request& request, const UiSession& session, ReadModel& model);
  Reply log_in(const http::Request& request);
  std::unique_ptr<ReadModel> borrow_model();
  void return_model(std::unique_ptr<ReadModel> model);

  DashboardOptions options_;
  Sessions sessions_;
  std::mutex models_mutex_;
  std::vector<std::unique_ptr<ReadModel>> idle_models_;  // one per concurrent request, reused
};

}  // namespace sw::dashboard
