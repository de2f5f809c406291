// Idempotency keys over Redis: SET NX EX of {"task_id", "fingerprint", "created_at"}.
#include "queue/idempotency.hpp"

#include <algorithm>
#include <optional>

#include "core/digest.hpp"
#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/time.hpp"

namespace sw::queue {
namespace {

// A claim may expire between a refused SET NX and the GET that reads it: try again.
constexpr int claim_attempts = 3;
constexpr std::size_t max_key_length = 256;

const LuaScript& release_claim_script() {
  static const LuaScript script{"release_idempotency_claim", R"(
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local ok, claim = pcall(cjson.decode, value)
if ok and type(claim) == 'table' and claim['task_id'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)"};
  return script;
}

std::string claim_key(const std::string& key) {
  const bool printable =
      std::all_of(key.begin(), key.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
  if (key.empty() || key.size() > max_key_length || !printable) {
    throw core::Error(core::ErrorKind::bad_input, "an idempotency key must be 1-256 printable characters");
  }
  return "sw:idempotency:" + key;
}

// The claim a key holds, nullopt when it has none (any more).
std::optional<nlohmann::json> read_claim(RedisConnection& redis, const std::string& redis_key) {
  const RedisValue value = redis.command({"GET", redis_key});
  if (value.is_nil()) return std::nullopt;
  nlohmann::json claim = nlohmann::json::parse(value.as_string(), nullptr, false);
  if (!claim.is_object() || !claim.contains("task_id") || !claim["task_id"].is_string() ||
      !claim.contains("fingerprint") || !claim["fingerprint"].is_string()) {
    throw core::Error(core::ErrorKind::bad_input, "the idempotency key holds an unreadable claim");
  }
  return claim;
}

}  // namespace

std::string parameters_fingerprint(const nlohmann::json& parameters) {
  return core::sha256_hex(core::redact_secrets(parameters).dump());
}

IdempotencyKeys::IdempotencyKeys(RedisOptions options, std::chrono::seconds ttl)
    : redis_(std::move(options)), ttl_(ttl) {}

IdempotencyClaim IdempotencyKeys::claim(const std::string& key, const std::string& task_id,
                                        const std::string& fingerprint) {
  const std::string redis_key = claim_key(key);
  const std::string value = nlohmann::json{{"task_id", task_id},
                                           {"fingerprint", fingerprint},
                                           {"created_at", core::format_iso(core::SystemClock().now())}}
                                .dump();
  for (int attempt = 0; attempt < claim_attempts; ++attempt) {
    const RedisValue set = redis_.command({"SET", redis_key, value, "NX", "EX", std::to_string(ttl_.count())});
    if (!set.is_nil()) {
      return {ClaimOutcome::claimed, task_id};
    }
    if (const auto existing = read_claim(redis_, redis_key)) {
      const bool same = (*existing)["fingerprint"].get<std::string>() == fingerprint;
      return {same ? ClaimOutcome::repeated : ClaimOutcome::conflicting, (*existing)["task_id"].get<std::string>()};
    }
  }
  throw core::Error(core::ErrorKind::conflict, "the idempotency key kept changing; try again");
}

void IdempotencyKeys::release(const std::string& key, const std::string& task_id) {
  redis_.eval(release_claim_script(), {claim_key(key)}, {task_id});
}

}  // namespace sw::queue
