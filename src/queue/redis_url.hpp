// REDIS_URL parsing: redis://[[user]:password@]host[:port][/db] and
// unix:///path[?db=N&password=P] into the endpoint that RedisConnection connects to.
#pragma once

#include <string>
#include <string_view>

namespace sw::queue {

struct RedisEndpoint {
  enum class Transport { tcp, unix_socket };
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // tcp
  int port = 6379;                 // tcp
  std::string socket_path;         // unix_socket
  std::string username;            // empty: AUTH with the password alone
  std::string password;            // empty: no AUTH
  int database = 0;

  // The endpoint for messages and logs: never contains the password.
  std::string describe() const;
};

// Throws core::Error(bad_input) for anything else (rediss:// included: hiredis 0.14 has
// no TLS). The error message never contains the password.
RedisEndpoint parse_redis_url(std::string_view url);

}  // namespace sw::queue
