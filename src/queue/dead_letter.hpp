// Dead-letter entries in the Python worker's format: the sorted set {pool}:queue:dead holds
// the task JSON plus "error", "failed_at" (ISO 8601 UTC) and "scanner_pool", scored by the
// unix time of the failure. Building (secrets redacted), reading and preparing a retry.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace sw::queue {

struct DeadLetter {
  std::string member;    // the sorted-set member exactly as stored
  nlohmann::json entry;  // the member parsed (an object); {"raw": member} when it is not an object
  std::optional<std::string> task_id;
  std::string error;
  std::string failed_at;        // as stored
  core::TimePoint failed_time;  // from the score
  std::optional<long long> deliveries;
};

// The DLQ entry for a queue entry `raw` that failed with `reason`:
// - a JSON object: a copy with secrets redacted (core::redact_secrets);
// - anything else, also JSON nested deeper than core::kMaxJsonNesting (never parsed):
//   {"raw": core::redact_text(raw)};
// then `extra`'s fields (redacted), then "error" (the reason, redacted, its control
// characters escaped so that a NUL or a newline cannot cut or forge it), "failed_at" and
// "scanner_pool" (the queue's pool when the task names none).
nlohmann::json make_dead_letter_entry(std::string_view raw, std::string_view pool, std::string_view reason,
                                      core::TimePoint failed_at,
                                      const nlohmann::json& extra = nlohmann::json::object());

// The DLQ entry for a queue entry too large to be parsed (MAX_TASK_BYTES): its first
// `kept_bytes` (cut at a UTF-8 character boundary, redacted) as "raw", its whole size as
// "raw_bytes", its "task_id" when the entry names one at its top level (found by a streaming read), then
// the failure fields.
nlohmann::json make_oversized_dead_letter_entry(std::string_view raw, std::string_view pool, std::string_view reason,
                                                core::TimePoint failed_at, std::size_t kept_bytes);

// A DLQ member as text: invalid UTF-8 in foreign text (a raw entry, a scanner's error)
// becomes U+FFFD instead of failing the write.
std::string dump_member(const nlohmann::json& entry);

// Reads a member written by this worker or the Python worker; a member nested deeper than
// core::kMaxJsonNesting is not parsed (its entry is {"raw": member}).
DeadLetter parse_dead_letter(std::string member, double score);

// The queue message a retry pushes: the entry without the failure fields (error,
// failed_at, deliveries). nullopt for an entry that holds only raw text (not a task, or
// the first bytes of an oversized one).
std::optional<std::string> retry_message(const DeadLetter& letter);

// A score as Redis reads it (unix seconds with microseconds).
std::string format_score(core::TimePoint time);

}  // namespace sw::queue
