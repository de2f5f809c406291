// Structured logging: one JSON object per line (timestamp, level, message, and fields
// such as trace_id, task_id, pool, scanner), or plain text. Every line passes through
// the central redaction step, so values of password, secret, token and key fields never
// reach the output. The sink is process-wide and thread-safe.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace sw::telemetry {

enum class LogLevel { debug, info, warning, error };
enum class LogFormat { json, text };

// DEBUG, INFO, WARNING (or WARN), ERROR, CRITICAL (= error); case-insensitive.
std::optional<LogLevel> parse_log_level(std::string_view text);
std::optional<LogFormat> parse_log_format(std::string_view text);
std::string_view to_string(LogLevel level);

// Sets the threshold, the format and the stream (stderr when null).
void configure_logging(LogLevel threshold, LogFormat format, std::ostream* stream = nullptr);

bool log_enabled(LogLevel level);

// Writes one line when `level` passes the threshold. `fields` is a JSON object.
void log(LogLevel level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());

inline void log_debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  log(LogLevel::debug, m, f);
}
inline void log_info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  log(LogLevel::info, m, f);
}
inline void log_warning(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  log(LogLevel::warning, m, f);
}
inline void log_error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  log(LogLevel::error, m, f);
}

// The line that log() writes, without the newline (secrets redacted). A text line has its
// control characters escaped (core::escape_control_characters); a JSON line escapes them
// as JSON does.
std::string format_log_line(LogFormat format, core::TimePoint time, LogLevel level, std::string_view message,
                            const nlohmann::json& fields);

}  // namespace sw::telemetry
