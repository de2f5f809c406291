// For tests: sends the process-wide log to a string for the lifetime of the object, then
// back to stderr (INFO, JSON), also when the test ends early on a failed assertion.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "telemetry/log.hpp"

namespace sw::telemetry::testing {

class CapturedLog {
 public:
  explicit CapturedLog(LogLevel threshold = LogLevel::debug, LogFormat format = LogFormat::json) {
    configure_logging(threshold, format, &out_);
  }
  ~CapturedLog() { configure_logging(LogLevel::info, LogFormat::json, nullptr); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // Read only on the thread that logs, or after it stopped logging.
  std::string text() const { return out_.str(); }

  // Lines containing `needle`.
  std::size_t lines_with(std::string_view needle) const {
    std::istringstream in(out_.str());
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);) count += line.find(needle) != std::string::npos ? 1 : 0;
    return count;
  }

 private:
  std::ostringstream out_;
};

}  // namespace sw::telemetry::testing
