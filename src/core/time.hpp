// Time: an injectable clock and ISO 8601 timestamps as Python's
// datetime.utcnow().isoformat() writes them ("2025-12-01T14:30:22.123456", UTC, no zone).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sw::core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// "YYYY-MM-DDTHH:MM:SS.ffffff" in UTC; like Python, the fraction is omitted when it is zero.
std::string format_iso(TimePoint t);

// Reads what format_iso writes, and also a trailing "Z", a "+HH:MM"/"-HH:MM" offset, a
// space instead of "T" and 1-9 fraction digits. Returns nullopt when it is not a timestamp
// or its year is outside 1700-2260 (what a system_clock time point holds).
std::optional<TimePoint> parse_iso(std::string_view text);

// Seconds since the Unix epoch, with fractions.
double to_unix_seconds(TimePoint t);
TimePoint from_unix_seconds(double seconds);

}  // namespace sw::core
