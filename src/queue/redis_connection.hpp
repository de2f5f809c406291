// A blocking Redis connection: plain, TLS (rediss://) or Unix socket, optionally found
// through Sentinel; connect and command timeouts, AUTH (password or ACL user) and SELECT
// from the URL, reconnect with capped exponential backoff and jitter, replies as owned
// values, and Lua scripts loaded once and called by SHA. docs/redis.md explains the
// transport, Sentinel failover and why no acknowledged write is lost. Not thread-safe: one
// connection per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/environment.hpp"
#include "queue/redis_url.hpp"
#include "queue/redis_value.hpp"
#include "queue/redis_wire.hpp"

namespace sw::queue {

struct RedisOptions {
  // redis://[[user]:password@]host[:port][/db], rediss://... (TLS), unix:///path[?db=N]
  std::string url;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  // Delay before the second, third, ... reconnect attempt: doubles from the initial value
  // up to the cap, each time a random value in [delay/2, delay] (jitter).
  std::chrono::milliseconds reconnect_initial_backoff{100};
  std::chrono::milliseconds reconnect_max_backoff{5000};
  RedisTlsFiles tls{};  // rediss:// only
  // Sentinel: when set, the master `sentinel_master` is asked of these sentinels (over TLS
  // when the URL is rediss://) and the URL's host and port are not used.
  std::vector<config::HostPort> sentinels{};
  std::string sentinel_master{};
  // With Sentinel, every command is followed by WAIT 1: a write that no replica confirmed
  // within this time counts as a lost reply (docs/redis.md).
  std::chrono::milliseconds replica_ack_timeout{1000};
};

// The options the environment describes (REDIS_URL, REDIS_CA_FILE, REDIS_CLIENT_CERT,
// REDIS_CLIENT_KEY, REDIS_SENTINELS, REDIS_SENTINEL_MASTER), checked: throws
// core::Error(bad_input) for a URL that parse_redis_url refuses, so that a program can
// refuse it at start.
RedisOptions redis_options(const config::Environment& environment);

// A Lua script, identified by its source; its SHA is computed by SCRIPT LOAD.
struct LuaScript {
  std::string_view name;  // for error messages
  std::string_view source;
};

class RedisConnection {
 public:
  explicit RedisConnection(RedisOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. Connects first when needed (after a failure, waiting the backoff
  // delay before trying). Throws core::Error: network (cannot connect, connection lost,
  // the server is not the master any more: READONLY, NOREPLICAS, UNBLOCKED, MASTERDOWN,
  // LOADING, or with Sentinel no replica confirmed the command), timeout (no reply in
  // time), auth (AUTH refused, TLS certificate not accepted), server (another error reply).
  // After network and timeout the connection is dropped, and a command whose reply was
  // lost is never re-sent (it may have run): the caller decides. Messages name the
  // command, never its arguments.
  RedisValue command(const std::vector<std::string>& args);

  // Several commands in one round trip: sent together, run in order (not atomically:
  // another client's commands may run between them), replies read in order. The same
  // errors as command; an error reply throws once every command has run.
  std::vector<RedisValue> pipeline(const std::vector<std::vector<std::string>>& commands);

  // The same for a blocking command (BLMOVE ...) that may wait `block` on the server:
  // the read deadline is command_timeout + block.
  RedisValue blocking_command(const std::vector<std::string>& args, std::chrono::milliseconds block);

  // EVALSHA of the script, after SCRIPT LOAD on first use and again after NOSCRIPT (a
  // restarted server forgot it; NOSCRIPT means the script did not run, so this is safe).
  RedisValue eval(const LuaScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args);

  // Drops the connection; the next command reconnects.
  void disconnect();

 private:
  void ensure_connected();
  void connect_now();
  // The master's endpoint as the first sentinel that knows it tells (URL credentials kept).
  RedisEndpoint resolve_master();
  RedisReply run(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
  // Sends the commands together (with Sentinel, one WAIT after the last) and reads their
  // replies; drops the connection on a lost reply or a role change.
  std::vector<RedisReply> run_batch(const std::vector<std::vector<std::string>>& batch,
                                    std::chrono::milliseconds timeout);
  RedisValue checked(const std::vector<std::string>& args, RedisReply reply) const;
  std::string load_script(const LuaScript& script);

  RedisOptions options_;
  RedisEndpoint endpoint_;
  std::unique_ptr<RedisWire> wire_;
  std::size_t sentinel_to_ask_ = 0;  // the one that answered last
  int consecutive_failures_ = 0;
  std::map<std::string, std::string, std::less<>> script_shas_;  // by script name
};

}  // namespace sw::queue
