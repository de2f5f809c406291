// Dead-letter entry building and reading.
#include "queue/dead_letter.hpp"

#include <array>
#include <cstdio>

#include "core/json_depth.hpp"
#include "core/redact.hpp"
#include "core/task_message.hpp"
#include "core/text.hpp"

namespace sw::queue {

namespace {

// The worker's own fields, stripped again when an entry is retried.
constexpr std::array<const char*, 5> kFailureFields = {"error", "failed_at", "deliveries", "auth_failed_hosts",
                                                       "auth_failed_hosts_count"};

// `entry` with `extra`'s fields and the failure fields.
nlohmann::json with_failure_fields(nlohmann::json entry, std::string_view pool, std::string_view reason,
                                   core::TimePoint failed_at, const nlohmann::json& extra) {
  if (extra.is_object()) {
    const nlohmann::json redacted_extra = core::redact_secrets(extra);
    for (const auto& [key, value] : redacted_extra.items()) {
      entry[key] = value;
    }
  }
  entry["error"] = core::escape_control_characters(core::redact_text(reason));
  entry["failed_at"] = core::format_iso(failed_at);
  const auto existing_pool = entry.find("scanner_pool");
  if (existing_pool == entry.end() || !existing_pool->is_string() ||
      existing_pool->get_ref<const std::string&>().empty()) {
    entry["scanner_pool"] = std::string(pool);
  }
  return entry;
}

}  // namespace

nlohmann::json make_dead_letter_entry(std::string_view raw, std::string_view pool, std::string_view reason,
                                      core::TimePoint failed_at, const nlohmann::json& extra) {
  nlohmann::json parsed =
      core::json_nesting_exceeds(raw) ? nlohmann::json(nullptr) : nlohmann::json::parse(raw, nullptr, false);
  nlohmann::json entry;
  if (!parsed.is_discarded() && parsed.is_object()) {
    entry = core::redact_secrets(parsed);
  } else {
    entry = nlohmann::json::object({{"raw", core::redact_text(raw)}});
  }
  return with_failure_fields(std::move(entry), pool, reason, failed_at, extra);
}

nlohmann::json make_oversized_dead_letter_entry(std::string_view raw, std::string_view pool, std::string_view reason,
                                                core::TimePoint failed_at, std::size_t kept_bytes) {
  nlohmann::json entry = {{"raw", core::redacted_excerpt(raw, kept_bytes)}, {"raw_bytes", raw.size()}};
  if (const auto task_id = core::task_id_of_entry(raw)) entry["task_id"] = *task_id;
  return with_failure_fields(std::move(entry), pool, reason, failed_at, nlohmann::json::object());
}

std::string dump_member(const nlohmann::json& entry) {
  return entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

DeadLetter parse_dead_letter(std::string member, double score) {
  DeadLetter letter;
  letter.failed_time = core::from_unix_seconds(score);
  nlohmann::json parsed =
      core::json_nesting_exceeds(member) ? nlohmann::json(nullptr) : nlohmann::json::parse(member, nullptr, false);
  letter.entry =
      !parsed.is_discarded() && parsed.is_object() ? std::move(parsed) : nlohmann::json::object({{"raw", member}});
  const auto text_field = [&](const char* key) -> std::optional<std::string> {
    const auto it = letter.entry.find(key);
    if (it != letter.entry.end() && it->is_string()) {
      return it->get<std::string>();
    }
    return std::nullopt;
  };
  letter.task_id = text_field("task_id");
  letter.error = text_field("error").value_or("");
  letter.failed_at = text_field("failed_at").value_or("");
  const auto deliveries = letter.entry.find("deliveries");
  if (deliveries != letter.entry.end() && deliveries->is_number_integer()) {
    letter.deliveries = deliveries->get<long long>();
  }
  letter.member = std::move(member);
  return letter;
}

std::optional<std::string> retry_message(const DeadLetter& letter) {
  const bool raw_text_only = letter.entry.contains("raw") && (!letter.task_id || letter.entry.contains("raw_bytes"));
  if (raw_text_only) {
    return std::nullopt;  // not a task (or only the first bytes of an oversized one)
  }
  nlohmann::json message = letter.entry;
  for (const char* field : kFailureFields) {
    message.erase(field);
  }
  return message.dump();
}

std::string format_score(core::TimePoint time) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6f", core::to_unix_seconds(time));
  return buffer;
}

}  // namespace sw::queue
