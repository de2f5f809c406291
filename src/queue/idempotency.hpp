// Idempotency keys for producers: a key given with a submission maps, for a while, to the
// task that submission created, so a repeated request returns that task instead of queueing
// a second scan, and a request reusing the key with other parameters is refused. Stored in
// Redis as sw:idempotency:{key} (SET NX with an expiry) holding the task id and a SHA-256
// fingerprint of the parameters with their secrets redacted, so no secret is ever stored.
//
// Thread-safety: none. One object (and Redis connection) per thread.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "queue/redis_connection.hpp"

namespace sw::queue {

inline constexpr std::chrono::seconds default_idempotency_ttl{7 * 24 * 3600};

// SHA-256 (64 lower-case hex digits) of `parameters` with secrets redacted
// (core::redact_secrets) in a canonical form (object keys sorted). Two requests that
// differ only in a password have the same fingerprint.
std::string parameters_fingerprint(const nlohmann::json& parameters);

enum class ClaimOutcome {
  claimed,      // the key was free: it now names the new task
  repeated,     // the key names an earlier task with the same fingerprint
  conflicting,  // the key names an earlier task with another fingerprint
};

struct IdempotencyClaim {
  ClaimOutcome outcome = ClaimOutcome::claimed;
  std::string task_id;  // the new task when claimed, else the earlier one
};

class IdempotencyKeys {
 public:
  explicit IdempotencyKeys(RedisOptions options, std::chrono::seconds ttl = default_idempotency_ttl);

  // Atomically claims `key` for `task_id` unless a live claim exists. A key is 1-256
  // printable characters, else core::Error(bad_input).
  IdempotencyClaim claim(const std::string& key, const std::string& task_id, const std::string& fingerprint);

  // Gives up this task's claim (submitting failed after claiming); a claim that names
  // another task is left alone.
  void release(const std::string& key, const std::string& task_id);

 private:
  RedisConnection redis_;
  std::chrono::seconds ttl_;
};

}  // namespace sw::queue
