// The dashboard's login sessions: a person who gave a valid bearer token gets a random
// session id (sent back only in an HttpOnly, SameSite=Strict cookie) and a CSRF token that
// every form carries. Sessions end when idle too long, at logout, or when the oldest must
// make room (a bounded table). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sw::dashboard {

struct UiSession {
  std::string id;    // the cookie's value
  std::string csrf;  // the forms' hidden field
};

class Sessions {
 public:
  using Clock = std::chrono::steady_clock;

  Sessions(std::chrono::seconds idle_timeout, std::size_t max_sessions);

  UiSession open();
  // The session of a cookie value, its idle timer restarted; nullopt when unknown or expired.
  std::optional<UiSession> find(const std::string& id);
  void close(const std::string& id);
  std::size_t size() const;

 private:
  struct Entry {
    std::string csrf;
    Clock::time_point last_seen;
  };
  void drop_expired(Clock::time_point now);

  std::chrono::seconds idle_timeout_;
  std::size_t max_sessions_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> sessions_;
};

}  // namespace sw::dashboard
