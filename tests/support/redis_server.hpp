// A real redis-server for a test: started on a free loopback port with no persistence,
// in a temporary folder, stopped on destruction; can be restarted on the same port.
#pragma once

#include <memory>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sw::testing {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  void stop();
  void start();
  // kill -9 and start again on the same port (the data set is lost).
  void restart();

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sw::testing
