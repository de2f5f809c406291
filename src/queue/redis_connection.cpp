// Blocking hiredis connection with timeouts, reconnect backoff and script caching.
#include "queue/redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <thread>

#include "core/errors.hpp"

namespace sw::queue {

namespace {

using core::Error;
using core::ErrorKind;

timeval to_timeval(std::chrono::milliseconds duration) {
  const long long ms = std::max<long long>(duration.count(), 1);
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

RedisValue convert(const redisReply& reply) {
  RedisValue value;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      value.type = RedisValue::Type::integer;
      value.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      value.type = reply.type == REDIS_REPLY_STRING ? RedisValue::Type::string : RedisValue::Type::status;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      value.type = RedisValue::Type::array;
      value.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        value.elements.push_back(convert(*reply.element[i]));
      }
      break;
    default:
      value.type = RedisValue::Type::nil;
      break;
  }
  return value;
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

std::string upper_command(const std::vector<std::string>& args) {
  std::string name = args.empty() ? std::string() : args.front();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

}  // namespace

long long RedisValue::as_integer() const {
  if (type != Type::integer) {
    throw Error(ErrorKind::internal, "redis: expected an integer reply");
  }
  return integer;
}

const std::string& RedisValue::as_string() const {
  if (type != Type::string && type != Type::status) {
    throw Error(ErrorKind::internal, "redis: expected a string reply");
  }
  return text;
}

void RedisConnection::ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

RedisConnection::RedisConnection(RedisOptions options)
    : options_(std::move(options)), endpoint_(parse_redis_url(options_.url)) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::disconnect() { context_.reset(); }

void RedisConnection::ensure_connected() {
  if (context_) {
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
    context_.reset();
    ++consecutive_failures_;
    throw;
  }
}

void RedisConnection::connect_now() {
  const timeval connect_timeout = to_timeval(options_.connect_timeout);
  redisContext* raw = endpoint_.transport == RedisEndpoint::Transport::tcp
                          ? redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, connect_timeout)
                          : redisConnectUnixWithTimeout(endpoint_.socket_path.c_str(), connect_timeout);
  if (raw == nullptr) {
    throw Error(ErrorKind::network, "redis: cannot allocate a connection to " + endpoint_.describe());
  }
  std::unique_ptr<redisContext, ContextDeleter> context(raw);
  if (context->err != 0) {
    throw Error(ErrorKind::network, "redis: cannot connect to " + endpoint_.describe() + ": " + context->errstr);
  }
  if (redisSetTimeout(context.get(), to_timeval(options_.command_timeout)) != REDIS_OK) {
    throw Error(ErrorKind::network, "redis: cannot set the command timeout on " + endpoint_.describe());
  }
  context_ = std::move(context);
  if (!endpoint_.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!endpoint_.username.empty()) {
      auth.push_back(endpoint_.username);
    }
    auth.push_back(endpoint_.password);
    Outcome outcome = run(auth, options_.command_timeout);
    if (!outcome.error.empty()) {
      throw Error(ErrorKind::auth, "redis: authentication refused by " + endpoint_.describe());
    }
  }
  if (endpoint_.database != 0) {
    checked({"SELECT"}, run({"SELECT", std::to_string(endpoint_.database)}, options_.command_timeout));
  }
}

RedisConnection::Outcome RedisConnection::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const bool custom_timeout = timeout != options_.command_timeout;
  if (custom_timeout) {
    redisSetTimeout(context_.get(), to_timeval(timeout));
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  errno = 0;
  std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
      redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  const int saved_errno = errno;
  if (!reply) {
    const std::string reason = context_->errstr;
    context_.reset();
    const bool timed_out = saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT;
    throw Error(timed_out ? ErrorKind::timeout : ErrorKind::network,
                "redis " + upper_command(args) + " on " + endpoint_.describe() + ": " +
                    (timed_out ? "no reply in time" : reason));
  }
  if (custom_timeout) {
    redisSetTimeout(context_.get(), to_timeval(options_.command_timeout));
  }
  Outcome outcome;
  if (reply->type == REDIS_REPLY_ERROR) {
    outcome.error.assign(reply->str, reply->len);
  } else {
    outcome.value = convert(*reply);
  }
  return outcome;
}

RedisValue RedisConnection::checked(const std::vector<std::string>& args, Outcome outcome) const {
  if (!outcome.error.empty()) {
    throw Error(ErrorKind::server, "redis " + upper_command(args) + ": " + outcome.error);
  }
  return std::move(outcome.value);
}

RedisValue RedisConnection::command(const std::vector<std::string>& args) {
  ensure_connected();
  return checked(args, run(args, options_.command_timeout));
}

RedisValue RedisConnection::blocking_command(const std::vector<std::string>& args, std::chrono::milliseconds block) {
  ensure_connected();
  return checked(args, run(args, options_.command_timeout + block));
}

std::string RedisConnection::load_script(const LuaScript& script) {
  const std::vector<std::string> args{"SCRIPT", "LOAD", std::string(script.source)};
  Outcome outcome = run(args, options_.command_timeout);
  if (!outcome.error.empty()) {
    throw Error(ErrorKind::internal, "redis: cannot load script " + std::string(script.name) + ": " + outcome.error);
  }
  std::string sha = outcome.value.as_string();
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
  Outcome outcome = run(argv, options_.command_timeout);
  if (outcome.error.starts_with("NOSCRIPT")) {
    argv[1] = load_script(script);
    outcome = run(argv, options_.command_timeout);
  }
  if (!outcome.error.empty()) {
    throw Error(ErrorKind::server, "redis script " + std::string(script.name) + ": " + outcome.error);
  }
  return std::move(outcome.value);
}

}  // namespace sw::queue
