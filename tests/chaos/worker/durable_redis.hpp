// A redis-server for the chaos tests that keeps its data across kill -9: append-only file
// with fsync on every write (appendonly yes, appendfsync always), in a temporary folder,
// on a fixed free loopback port so that clients reconnect to the same address.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sw::chaos {

class DurableRedis {
 public:
  DurableRedis();
  ~DurableRedis();
  DurableRedis(const DurableRedis&) = delete;
  DurableRedis& operator=(const DurableRedis&) = delete;

  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  // kill -9; the server stays down until start().
  void crash();
  // Starts the server and waits until it answers PING with its data loaded.
  void start();

 private:
  testing::TempDir dir_;
  int port_;
  std::unique_ptr<testing::ChildProcess> process_;
};

}  // namespace sw::chaos
