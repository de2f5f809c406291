// Lua sources of the queue module's atomic steps.
#include "queue/scripts.hpp"

#include <string>

namespace sw::queue::scripts {

namespace {

// The field of a task in the delivery counter hash: its task_id when the entry is a JSON
// object with a string task_id, else a hash of the raw text.
constexpr const char* kDeliveryField = R"lua(
local function delivery_field(raw)
  local ok, decoded = pcall(cjson.decode, raw)
  if ok and type(decoded) == 'table' and type(decoded['task_id']) == 'string' then
    return 'id:' .. decoded['task_id']
  end
  return 'raw:' .. redis.sha1hex(raw)
end
)lua";

// Milliseconds since the epoch on the server's clock.
constexpr const char* kServerNow = R"lua(
local function server_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
)lua";

// Deletes the task's scan record (KEYS[record_index]) and releases its claim
// (KEYS[record_index + 1]) when `holder` holds it; nothing when those keys were not given.
constexpr const char* kForgetTask = R"lua(
local function forget_task(record_index, holder)
  if #KEYS < record_index + 1 then
    return
  end
  redis.call('DEL', KEYS[record_index])
  if redis.call('GET', KEYS[record_index + 1]) == holder then
    redis.call('DEL', KEYS[record_index + 1])
  end
end
)lua";

struct StoredScript {
  std::string name;
  std::string source;
  LuaScript script;
  StoredScript(std::string n, std::string s) : name(std::move(n)), source(std::move(s)), script{name, source} {}
};

}  // namespace

const LuaScript& acknowledge() {
  static const StoredScript stored("acknowledge", std::string(kDeliveryField) + kForgetTask + R"lua(
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed > 0 then
  redis.call('HDEL', KEYS[2], delivery_field(ARGV[1]))
  forget_task(3, ARGV[2])
end
return removed
)lua");
  return stored.script;
}

const LuaScript& return_to_queue() {
  static const StoredScript stored("return_to_queue", R"lua(
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed > 0 then
  redis.call(ARGV[3] == 'back' and 'LPUSH' or 'RPUSH', KEYS[2], ARGV[2])
  if #KEYS >= 3 and redis.call('GET', KEYS[3]) == ARGV[4] then
    redis.call('DEL', KEYS[3])
  end
end
return removed
)lua");
  return stored.script;
}

const LuaScript& dead_letter() {
  static const StoredScript stored("dead_letter", std::string(kDeliveryField) + kForgetTask + R"lua(
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed > 0 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('HDEL', KEYS[3], delivery_field(ARGV[1]))
  forget_task(4, ARGV[4])
end
return removed
)lua");
  return stored.script;
}

const LuaScript& reap_task() {
  static const StoredScript stored("reap_task", std::string(kDeliveryField) + R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
local ok, decoded = pcall(cjson.decode, ARGV[1])
if ok and type(decoded) == 'table' and type(decoded['task_id']) == 'string' then
  local claim = 'sw:claim:' .. decoded['task_id']
  if redis.call('GET', claim) == ARGV[5] then
    redis.call('DEL', claim)
  end
end
local field = delivery_field(ARGV[1])
local delivered = redis.call('HINCRBY', KEYS[4], field, 1)
if delivered >= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
  redis.call('HDEL', KEYS[4], field)
  return 2
end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
)lua");
  return stored.script;
}

const LuaScript& claim_task() {
  static const StoredScript stored("claim_task", R"lua(
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'claimed', ARGV[1]}
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'mine', holder}
end
if redis.call('EXISTS', 'sw:worker:' .. holder .. ':alive') == 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'taken_over', holder}
end
return {'held', holder}
)lua");
  return stored.script;
}

const LuaScript& release_claim() {
  static const StoredScript stored("release_claim", R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua");
  return stored.script;
}

const LuaScript& register_worker() {
  static const StoredScript stored("register_worker", R"lua(
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2], 'NX')
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
return 1
)lua");
  return stored.script;
}

const LuaScript& heartbeat() {
  static const StoredScript stored("heartbeat", R"lua(
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
)lua");
  return stored.script;
}

const LuaScript& forget_worker() {
  static const StoredScript stored("forget_worker", R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if redis.call('SCARD', KEYS[3]) ~= #KEYS - 3 then
  return 0
end
for i = 4, #KEYS do
  if redis.call('LLEN', KEYS[i]) > 0 then
    return 0
  end
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1
)lua");
  return stored.script;
}

const LuaScript& requeue_dead_letter() {
  static const StoredScript stored("requeue_dead_letter", std::string(kDeliveryField) + R"lua(
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], delivery_field(ARGV[2]))
return 1
)lua");
  return stored.script;
}

const LuaScript& acquire_lease() {
  static const StoredScript stored("acquire_lease", std::string(kServerNow) + R"lua(
local now = server_now_ms()
local task = ARGV[1]
local ttl = tonumber(ARGV[2])
local candidates = #KEYS - 1
for i = 1, candidates do
  local key = KEYS[i + 1]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZSCORE', key, task) then
    redis.call('ZADD', key, now + ttl, task)
    return ARGV[1 + 2 * i]
  end
end
local best, best_utilisation, best_used = nil, nil, nil
for i = 1, candidates do
  local limit = tonumber(ARGV[2 + 2 * i])
  local active = redis.call('ZCARD', KEYS[i + 1])
  if active < limit then
    local utilisation = active / limit
    local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1 + 2 * i]) or '0')
    if best == nil or utilisation < best_utilisation or (utilisation == best_utilisation and used < best_used) then
      best, best_utilisation, best_used = i, utilisation, used
    end
  end
end
if best == nil then
  return false
end
redis.call('ZADD', KEYS[best + 1], now + ttl, task)
redis.call('HSET', KEYS[1], ARGV[1 + 2 * best], now)
return ARGV[1 + 2 * best]
)lua");
  return stored.script;
}

const LuaScript& fetch_many() {
  static const StoredScript stored("fetch_many", R"lua(
local moved = {}
for i = 1, tonumber(ARGV[1]) do
  local raw = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not raw then
    break
  end
  moved[i] = raw
end
return moved
)lua");
  return stored.script;
}

const LuaScript& fetch_leased() {
  static const StoredScript stored("fetch_leased", std::string(kServerNow) + R"lua(
local raw = redis.call('LINDEX', KEYS[1], -1)
if not raw then
  return false
end
local parsed, message = pcall(cjson.decode, raw)
if not parsed or type(message) ~= 'table' or type(message.task_id) ~= 'string' then
  return false
end
local now = server_now_ms()
for i = 3, #KEYS do
  local expiry = redis.call('ZSCORE', KEYS[i], message.task_id)
  if expiry and tonumber(expiry) > now then
    return redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  end
end
return false
)lua");
  return stored.script;
}

const LuaScript& renew_leases() {
  static const StoredScript stored("renew_leases", std::string(kServerNow) + R"lua(
local now = server_now_ms()
local renewed = {}
for i, key in ipairs(KEYS) do
  local expiry = redis.call('ZSCORE', key, ARGV[i + 1])
  if not expiry or tonumber(expiry) <= now then
    renewed[i] = 0
  else
    redis.call('ZADD', key, now + tonumber(ARGV[1]), ARGV[i + 1])
    renewed[i] = 1
  end
end
return renewed
)lua");
  return stored.script;
}

const LuaScript& count_leases() {
  static const StoredScript stored("count_leases", std::string(kServerNow) + R"lua(
local now = server_now_ms()
local counts = {}
for i = 1, #KEYS do
  counts[i] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf')
end
return counts
)lua");
  return stored.script;
}

}  // namespace sw::queue::scripts
