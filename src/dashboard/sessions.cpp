// Login sessions and CSRF tokens of the dashboard.
#include "dashboard/sessions.hpp"

#include <algorithm>

#include "core/task_id.hpp"

namespace sw::dashboard {

Sessions::Sessions(std::chrono::seconds idle_timeout, std::size_t max_sessions)
    : idle_timeout_(idle_timeout), max_sessions_(std::max<std::size_t>(max_sessions, 1)) {}

UiSession Sessions::open() {
  const auto now = Clock::now();
  UiSession session{core::random_hex(64), core::random_hex(64)};
  std::lock_guard lock(mutex_);
  drop_expired(now);
  if (sessions_.size() >= max_sessions_) {
    const auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.last_seen < b.second.last_seen;
    });
    sessions_.erase(oldest);
  }
  sessions_[session.id] = Entry{session.csrf, now};
  return session;
}

std::optional<UiSession> Sessions::find(const std::string& id) {
  if (id.empty()) return std::nullopt;
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  const auto found = sessions_.find(id);
  if (found == sessions_.end()) return std::nullopt;
  if (now - found->second.last_seen > idle_timeout_) {
    sessions_.erase(found);
    return std::nullopt;
  }
  found->second.last_seen = now;
  return UiSession{found->first, found->second.csrf};
}

void Sessions::close(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

std::size_t Sessions::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void Sessions::drop_expired(Clock::time_point now) {
  std::erase_if(sessions_, [&](const auto& entry) { return now - entry.second.last_seen > idle_timeout_; });
}

}  // namespace sw::dashboard
