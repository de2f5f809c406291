// A log line that repeats under load (accept failures, refused connections, a flood of bad
// requests) written at most once per interval: the first occurrence is written at once, the
// ones that follow within the interval are only counted, and the next line written carries
// that count as the field "suppressed". Thread-safe; the clock is injectable for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "telemetry/log.hpp"

namespace sw::telemetry {

class RateLimitedLog {
 public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

  RateLimitedLog(
      LogLevel level, std::string message, std::chrono::steady_clock::duration interval,
      SteadyClock now = [] { return std::chrono::steady_clock::now(); });

  // Writes the line (with "suppressed": N when N occurrences were held back since the last
  // line), or counts it when the last line is younger than the interval. True when written.
  bool log(const nlohmann::json& fields = nlohmann::json::object());

  // Occurrences counted but not yet written.
  std::uint64_t suppressed() const;

 private:
  const LogLevel level_;
  const std::string message_;
  const std::chrono::steady_clock::duration interval_;
  const SteadyClock now_;
  mutable std::mutex mutex_;
  bool written_ = false;
  std::chrono::steady_clock::time_point last_written_{};
  std::uint64_t suppressed_ = 0;
};

}  // namespace sw::telemetry
