// REDIS_URL parsing: redis://[[user]:password@]host[:port][/db], the same with rediss://
// (TLS) and unix:///path[?db=N&password=P] into the endpoint that RedisConnection connects
// to. docs/redis.md describes the forms.
#pragma once

#include <string>
#include <string_view>

namespace sw::queue {

struct RedisEndpoint {
  enum class Transport { tcp, unix_socket };
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // tcp
  int port = 6379;                 // tcp
  bool tls = false;                // tcp: rediss://
  std::string socket_path;         // unix_socket
  std::string username;            // empty: AUTH with the password alone
  std::string password;            // empty: no AUTH
  int database = 0;

  // The endpoint for messages and logs: never contains the password.
  std::string describe() const;
};

// Throws core::Error(bad_input) for anything else, and for a user name or password with
// an unencoded '/', '?' or '#' (it would end the user-info part early and spill the rest of
// the secret into the host, database or query). The message never contains any part of
// the user-info.
RedisEndpoint parse_redis_url(std::string_view url);

}  // namespace sw::queue
