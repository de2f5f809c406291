// The process-wide log sink and the line formats.
#include "telemetry/log.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>
#include <mutex>

#include "core/redact.hpp"
#include "core/text.hpp"

namespace sw::telemetry {

namespace {

struct Sink {
  std::mutex mutex;
  std::atomic<int> threshold{static_cast<int>(LogLevel::info)};
  LogFormat format = LogFormat::json;
  std::ostream* stream = &std::cerr;
};

Sink& sink() {
  static Sink instance;
  return instance;
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
  const std::string u = upper(text);
  if (u == "DEBUG") return LogLevel::debug;
  if (u == "INFO") return LogLevel::info;
  if (u == "WARNING" || u == "WARN") return LogLevel::warning;
  if (u == "ERROR" || u == "CRITICAL") return LogLevel::error;
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  const std::string u = upper(text);
  if (u == "JSON") return LogFormat::json;
  if (u == "TEXT") return LogFormat::text;
  return std::nullopt;
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "DEBUG";
    case LogLevel::info:
      return "INFO";
    case LogLevel::warning:
      return "WARNING";
    case LogLevel::error:
      return "ERROR";
  }
  return "INFO";
}

void configure_logging(LogLevel threshold, LogFormat format, std::ostream* stream) {
  Sink& s = sink();
  std::lock_guard lock(s.mutex);
  s.threshold = static_cast<int>(threshold);
  s.format = format;
  s.stream = stream != nullptr ? stream : &std::cerr;
}

bool log_enabled(LogLevel level) { return static_cast<int>(level) >= sink().threshold.load(); }

std::string format_log_line(LogFormat format, core::TimePoint time, LogLevel level, std::string_view message,
                            const nlohmann::json& fields) {
  const std::string safe_message = core::redact_text(message);
  const nlohmann::json safe_fields = fields.is_object() ? core::redact_secrets(fields) : nlohmann::json::object();
  if (format == LogFormat::json) {
    nlohmann::json line = nlohmann::json::object();
    line["ts"] = core::format_iso(time) + "Z";
    line["level"] = to_string(level);
    line["msg"] = safe_message;
    for (const auto& [key, value] : safe_fields.items()) {
      if (key != "ts" && key != "level" && key != "msg") {
        line[key] = value;
      }
    }
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = core::format_iso(time) + "Z " + std::string(to_string(level)) + " " + safe_message;
  for (const auto& [key, value] : safe_fields.items()) {
    line += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  // One event, one line: a newline in a message, a key or a value (a task id, a
  // scanner's error) must not start a line of its own.
  return core::escape_control_characters(line);
}

void log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  if (!log_enabled(level)) {
    return;
  }
  Sink& s = sink();
  const std::string line = format_log_line(s.format, std::chrono::system_clock::now(), level, message, fields);
  std::lock_guard lock(s.mutex);
  *s.stream << line << '\n';
  s.stream->flush();
}

}  // namespace sw::telemetry
