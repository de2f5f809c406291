// Blocking Redis connection: Sentinel resolution, AUTH/SELECT/ROLE, timeouts, reconnect
// backoff, the replica check after each command under Sentinel, and script caching.
#include "queue/redis_connection.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <random>
#include <thread>

#include "core/errors.hpp"

namespace sw::queue {

namespace {

using core::Error;
using core::ErrorKind;
using Clock = std::chrono::steady_clock;

std::string upper_command(const std::vector<std::string>& args) {
  std::string name = args.empty() ? std::string() : args.front();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

// Error replies that mean "this server is not (or not yet, or no longer) a usable master":
// the command did not run, and another connection (after Sentinel's answer) may succeed.
bool is_role_change_error(const std::string& error) {
  constexpr std::array<std::string_view, 5> kPrefixes{"READONLY", "NOREPLICAS", "UNBLOCKED", "MASTERDOWN", "LOADING"};
  return std::any_of(kPrefixes.begin(), kPrefixes.end(),
                     [&](std::string_view prefix) { return error.starts_with(prefix); });
}

}  // namespace

RedisOptions redis_options(const config::Environment& environment) {
  RedisOptions options;
  options.url = environment.redis_url;
  parse_redis_url(options.url);
  options.tls = RedisTlsFiles{environment.redis_ca_file.string(), environment.redis_client_cert.string(),
                              environment.redis_client_key.string()};
  options.sentinels = environment.redis_sentinels;
  options.sentinel_master = environment.redis_sentinel_master;
  return options;
}

RedisConnection::RedisConnection(RedisOptions options)
    : options_(std::move(options)), endpoint_(parse_redis_url(options_.url)) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::disconnect() { wire_.reset(); }

void RedisConnection::ensure_connected() {
  if (wire_) {
    return;
  }
  if (consecutive_failures_ > 0) {
    const int doublings = std::min(consecutive_failures_ - 1, 20);
    const std::chrono::milliseconds grown = options_.reconnect_initial_backoff * (1LL << doublings);
    const auto delay = std::min(options_.reconnect_max_backoff, grown);
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<long long> jitter(delay.count() / 2, std::max<long long>(delay.count(), 0));
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
  }
  try {
    connect_now();
    consecutive_failures_ = 0;
  } catch (...) {
    wire_.reset();
    ++consecutive_failures_;
    throw;
  }
}

RedisEndpoint RedisConnection::resolve_master() {
  std::string last_failure = "no sentinel configured";
  for (std::size_t attempt = 0; attempt < options_.sentinels.size(); ++attempt) {
    const std::size_t index = (sentinel_to_ask_ + attempt) % options_.sentinels.size();
    RedisEndpoint sentinel;
    sentinel.host = options_.sentinels[index].host;
    sentinel.port = options_.sentinels[index].port;
    sentinel.tls = endpoint_.tls;
    try {
      RedisWire wire(sentinel, options_.tls, Clock::now() + options_.connect_timeout);
      const auto replies = wire.exchange({{"SENTINEL", "get-master-addr-by-name", options_.sentinel_master}},
                                         Clock::now() + options_.command_timeout);
      const RedisReply& reply = replies.front();
      if (!reply.error.empty()) {
        last_failure = "sentinel " + sentinel.describe() + " answered: " + reply.error;
        continue;
      }
      if (reply.value.type != RedisValue::Type::array || reply.value.elements.size() != 2) {
        last_failure =
            "sentinel " + sentinel.describe() + " does not know the master '" + options_.sentinel_master + "'";
        continue;
      }
      RedisEndpoint master = endpoint_;
      master.host = reply.value.elements[0].as_string();
      const std::string& port = reply.value.elements[1].as_string();
      const auto [end, parse_error] = std::from_chars(port.data(), port.data() + port.size(), master.port);
      if (parse_error != std::errc() || end != port.data() + port.size()) {
        last_failure = "sentinel " + sentinel.describe() + " named a bad port for the master";
        continue;
      }
      sentinel_to_ask_ = index;
      return master;
    } catch (const Error& error) {
      last_failure = error.what();
    }
  }
  throw Error(ErrorKind::network, "redis: no sentinel of REDIS_SENTINELS names the master '" +
                                      options_.sentinel_master + "': " + last_failure);
}

void RedisConnection::connect_now() {
  const RedisEndpoint target = options_.sentinels.empty() ? endpoint_ : resolve_master();
  wire_ = std::make_unique<RedisWire>(target, options_.tls, Clock::now() + options_.connect_timeout);
  const auto deadline = [&] { return Clock::now() + options_.command_timeout; };
  if (!target.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!target.username.empty()) {
      auth.push_back(target.username);
    }
    auth.push_back(target.password);
    if (!wire_->exchange({auth}, deadline()).front().error.empty()) {
      throw Error(ErrorKind::auth, "redis: authentication refused by " + target.describe());
    }
  }
  if (target.database != 0) {
    checked({"SELECT"}, wire_->exchange({{"SELECT", std::to_string(target.database)}}, deadline()).front());
  }
  if (!options_.sentinels.empty()) {
    // Sentinel may still name a master that it is demoting: only a master will do.
    const RedisValue role = checked({"ROLE"}, wire_->exchange({{"ROLE"}}, deadline()).front());
    const bool master = role.type == RedisValue::Type::array && !role.elements.empty() &&
                        role.elements.front().type == RedisValue::Type::string &&
                        role.elements.front().text == "master";
    if (!master) {
      throw Error(ErrorKind::network, "redis: " + target.describe() + ", named master '" + options_.sentinel_master +
                                          "' by Sentinel, is not a master (yet)");
    }
  }
}

RedisReply RedisConnection::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<RedisReply> replies = run_batch({args}, timeout);
  return std::move(replies.front());
}

std::vector<RedisReply> RedisConnection::run_batch(const std::vector<std::vector<std::string>>& batch,
                                                   std::chrono::milliseconds timeout) {
  const bool confirm_by_replica = !options_.sentinels.empty();
  std::vector<std::vector<std::string>> commands = batch;
  if (confirm_by_replica) {
    commands.push_back({"WAIT", "1", std::to_string(options_.replica_ack_timeout.count())});
    timeout += options_.replica_ack_timeout;
  }
  std::vector<RedisReply> replies;
  try {
    replies = wire_->exchange(commands, Clock::now() + timeout);
  } catch (const Error&) {
    wire_.reset();
    throw;
  }
  const std::string server = wire_->description();
  const auto where = [&](std::size_t index) { return "redis " + upper_command(batch[index]) + " on " + server; };
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (is_role_change_error(replies[i].error)) {
      wire_.reset();
      throw Error(ErrorKind::network, where(i) + ": " + replies[i].error + " (not a usable master: reconnecting)");
    }
  }
  if (confirm_by_replica) {
    const RedisReply& acknowledged = replies.back();
    if (!acknowledged.error.empty() || acknowledged.value.type != RedisValue::Type::integer ||
        acknowledged.value.integer < 1) {
      wire_.reset();
      throw Error(ErrorKind::network, where(0) + ": no replica confirmed it within " +
                                          std::to_string(options_.replica_ack_timeout.count()) +
                                          " ms; the master may have been demoted: its effect is unknown");
    }
    replies.pop_back();
  }
  return replies;
}

RedisValue RedisConnection::checked(const std::vector<std::string>& args, RedisReply reply) const {
  if (!reply.error.empty()) {
    throw Error(ErrorKind::server, "redis " + upper_command(args) + ": " + reply.error);
  }
  return std::move(reply.value);
}

RedisValue RedisConnection::command(const std::vector<std::string>& args) {
  ensure_connected();
  return checked(args, run(args, options_.command_timeout));
}

std::vector<RedisValue> RedisConnection::pipeline(const std::vector<std::vector<std::string>>& commands) {
  ensure_connected();
  std::vector<RedisReply> replies = run_batch(commands, options_.command_timeout);
  std::vector<RedisValue> values;
  values.reserve(replies.size());
  for (std::size_t i = 0; i < replies.size(); ++i) values.push_back(checked(commands[i], std::move(replies[i])));
  return values;
}

RedisValue RedisConnection::blocking_command(const std::vector<std::string>& args, std::chrono::milliseconds block) {
  ensure_connected();
  return checked(args, run(args, options_.command_timeout + block));
}

std::string RedisConnection::load_script(const LuaScript& script) {
  const std::vector<std::string> args{"SCRIPT", "LOAD", std::string(script.source)};
  RedisReply reply = run(args, options_.command_timeout);
  if (!reply.error.empty()) {
    throw Error(ErrorKind::internal, "redis: cannot load script " + std::string(script.name) + ": " + reply.error);
  }
  std::string sha = reply.value.as_string();
  script_shas_[std::string(script.name)] = sha;
  return sha;
}

RedisValue RedisConnection::eval(const LuaScript& script, const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args) {
  ensure_connected();
  const auto cached = script_shas_.find(script.name);
  const std::string sha = cached != script_shas_.end() ? cached->second : load_script(script);
  std::vector<std::string> argv{"EVALSHA", sha, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  RedisReply reply = run(argv, options_.command_timeout);
  if (reply.error.starts_with("NOSCRIPT")) {
    argv[1] = load_script(script);
    reply = run(argv, options_.command_timeout);
  }
  if (!reply.error.empty()) {
    throw Error(ErrorKind::server, "redis script " + std::string(script.name) + ": " + reply.error);
  }
  return std::move(reply.value);
}

}  // namespace sw::queue
