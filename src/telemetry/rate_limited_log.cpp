// Implementation of the rate-limited log line.
#include "telemetry/rate_limited_log.hpp"

namespace sw::telemetry {

RateLimitedLog::RateLimitedLog(LogLevel level, std::string message, std::chrono::steady_clock::duration interval,
                               SteadyClock now)
    : level_(level), message_(std::move(message)), interval_(interval), now_(std::move(now)) {}

bool RateLimitedLog::log(const nlohmann::json& fields) {
  std::uint64_t held_back = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = now_();
    if (written_ && now - last_written_ < interval_) {
      ++suppressed_;
      return false;
    }
    written_ = true;
    last_written_ = now;
    held_back = suppressed_;
    suppressed_ = 0;
  }
  if (held_back == 0) {
    telemetry::log(level_, message_, fields);
  } else {
    nlohmann::json with_count = fields.is_object() ? fields : nlohmann::json::object();
    with_count["suppressed"] = held_back;
    telemetry::log(level_, message_, with_count);
  }
  return true;
}

std::uint64_t RateLimitedLog::suppressed() const {
  std::lock_guard lock(mutex_);
  return suppressed_;
}

}  // namespace sw::telemetry
