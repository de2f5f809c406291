// The project's one exception family: an Error carries a kind that decides retry,
// dead-lettering and the metric label, and optionally the HTTP status behind it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sw::core {

enum class ErrorKind {
  network,       // connection refused/reset, DNS, TLS handshake, read error
  timeout,       // a deadline passed
  auth,          // credentials refused (401 after re-login, lockout)
  not_found,     // the object does not exist (404)
  conflict,      // state conflict (409, launch while running)
  client,        // the request was wrong (400, 403, 405)
  server,        // the server failed (5xx)
  api_disabled,  // 412 "API is not available" even with the X-API-Token
  bad_input,     // malformed task, config or file
  internal,      // a bug or an impossible state
  redis,         // Redis unreachable or failing: wait and retry; never a reason to fail a task
};

std::string_view to_string(ErrorKind kind);

// True for the kinds worth retrying with backoff (network, timeout, server).
bool is_transient(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, int http_status = 0)
      : std::runtime_error(message), kind_(kind), http_status_(http_status) {}

  ErrorKind kind() const noexcept { return kind_; }
  int http_status() const noexcept { return http_status_; }

 private:
  ErrorKind kind_;
  int http_status_;
};

}  // namespace sw::core
