// Durable redis-server for the chaos tests.
#include "durable_redis.hpp"

#include <signal.h>

#include <stdexcept>

namespace sw::chaos {

DurableRedis::DurableRedis() : port_(testing::free_port()) { start(); }

DurableRedis::~DurableRedis() {
  if (process_) {
    process_->stop(std::chrono::milliseconds(3000));
  }
}

void DurableRedis::crash() {
  if (process_) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::milliseconds(5000));
    process_.reset();
  }
}

void DurableRedis::start() {
  process_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly",
      "yes", "--appendfsync", "always", "--dir", dir_.path().string(), "--loglevel", "warning", "--daemonize", "no"});
  // PING answers LOADING while the append-only file is replayed; wait for PONG.
  const bool up = testing::eventually(
      [&] {
        testing::ChildProcess ping({"/usr/bin/redis-cli", "-p", std::to_string(port_), "ping"});
        return ping.wait_for_line("PONG", std::chrono::milliseconds(500)).has_value();
      },
      std::chrono::milliseconds(15000), std::chrono::milliseconds(50));
  if (!up) {
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
  }
}

}  // namespace sw::chaos
