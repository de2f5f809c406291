// One open connection to a Redis server or sentinel: plain TCP, a Unix socket, or TLS
// (OpenSSL through Asio, with SNI and host-name verification), every step bounded by a
// deadline. Commands go out as RESP; replies are parsed with hiredis's reply reader
// (Debian's hiredis 0.14 has no TLS of its own: docs/redis.md). Blocking; not thread-safe.
// Internal to the queue module: RedisConnection is the interface.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "queue/redis_url.hpp"
#include "queue/redis_value.hpp"

namespace sw::queue {

// TLS material for rediss://; empty paths: the system's CA store, no client certificate.
struct RedisTlsFiles {
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
};

// One reply: a value, or the text of an error reply.
struct RedisReply {
  RedisValue value;
  std::string error;  // empty unless the server answered with an error
};

class RedisWire {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Connects to the endpoint's host and port or socket (TLS when endpoint.tls) before the
  // deadline. Throws core::Error: network (cannot connect, handshake failed), timeout,
  // auth (the server's certificate is not trusted, or a TLS file cannot be used).
  RedisWire(const RedisEndpoint& endpoint, const RedisTlsFiles& tls, Deadline deadline);
  ~RedisWire();
  RedisWire(const RedisWire&) = delete;
  RedisWire& operator=(const RedisWire&) = delete;

  // Sends the commands in one write and reads one reply for each, all before the deadline.
  // Throws core::Error network (connection lost, protocol error) or timeout; the wire is
  // unusable afterwards. Messages name the first command, never its arguments.
  std::vector<RedisReply> exchange(const std::vector<std::vector<std::string>>& commands, Deadline deadline);

  // The endpoint for messages (no password).
  const std::string& description() const { return description_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string description_;
};

}  // namespace sw::queue
