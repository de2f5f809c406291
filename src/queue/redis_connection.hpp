// A blocking Redis connection over hiredis: connect and command timeouts, AUTH/SELECT from
// the URL, reconnect with capped exponential backoff and jitter, replies copied into
// owned values (no hiredis handle ever leaves this class), and Lua scripts loaded once and
// called by SHA. Not thread-safe: one connection per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "queue/redis_url.hpp"

struct redisContext;

namespace sw::queue {

struct RedisOptions {
  std::string url;  // redis://host:port, redis://:password@host:port/db, unix:///path[?db=N]
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  // Delay before the second, third, ... reconnect attempt: doubles from the initial value
  // up to the cap, each time a random value in [delay/2, delay] (jitter).
  std::chrono::milliseconds reconnect_initial_backoff{100};
  std::chrono::milliseconds reconnect_max_backoff{5000};
};

// One reply, owned.
struct RedisValue {
  enum class Type { nil, integer, string, status, array };
  Type type = Type::nil;
  long long integer = 0;
  std::string text;                 // string and status
  std::vector<RedisValue> elements;  // array

  bool is_nil() const { return type == Type::nil; }
  // The integer of an integer reply; throws core::Error(internal) for another type.
  long long as_integer() const;
  // The text of a string/status reply; throws core::Error(internal) for another type.
  const std::string& as_string() const;
};

// A Lua script, identified by its source; its SHA is computed by SCRIPT LOAD.
struct LuaScript {
  std::string_view name;    // for error messages
  std::string_view source;
};

class RedisConnection {
 public:
  explicit RedisConnection(RedisOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. Connects first when needed (after a failure, waiting the backoff
  // delay before trying). Throws core::Error: network (cannot connect, connection lost),
  // timeout (no reply in time), auth (AUTH refused), server (an error reply). A command
  // whose reply was lost is never re-sent (it may have run): the caller decides.
  // Messages name the command, never its arguments.
  RedisValue command(const std::vector<std::string>& args);

  // The same for a blocking command (BLMOVE ...) that may wait `block` on the server:
  // the read deadline is command_timeout + block.
  RedisValue blocking_command(const std::vector<std::string>& args, std::chrono::milliseconds block);

  // EVALSHA of the script, after SCRIPT LOAD on first use and again after NOSCRIPT (a
  // restarted server forgot it; NOSCRIPT means the script did not run, so this is safe).
  RedisValue eval(const LuaScript& script, const std::vector<std::string>& keys,
                  const std::vector<std::string>& args);

  // Drops the connection; the next command reconnects.
  void disconnect();

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };

  void ensure_connected();
  void connect_now();
  struct Outcome {
    RedisValue value;
    std::string error;  // the text of an error reply, empty otherwise
  };
  Outcome run(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
  RedisValue checked(const std::vector<std::string>& args, Outcome outcome) const;
  std::string load_script(const LuaScript& script);

  RedisOptions options_;
  RedisEndpoint endpoint_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
  int consecutive_failures_ = 0;
  std::map<std::string, std::string, std::less<>> script_shas_;  // by script name
};

}  // namespace sw::queue
