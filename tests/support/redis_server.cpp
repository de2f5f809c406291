// redis-server fixture.
#include "support/redis_server.hpp"

#include <signal.h>

#include <stdexcept>

namespace sw::testing {

RedisServer::RedisServer() : port_(free_port()) { start(); }

RedisServer::~RedisServer() { stop(); }

void RedisServer::start() {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
      "/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--dir", dir_.path().string(), "--loglevel", "warning",
      "--daemonize", "no"});
  const bool up = eventually(
      [&] {
        try {
          ChildProcess ping({"/usr/bin/redis-cli", "-p", std::to_string(port_), "ping"});
          return ping.wait_for_line("PONG", std::chrono::milliseconds(500)).has_value();
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::milliseconds(10000), std::chrono::milliseconds(50));
  if (!up) {
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
  }
}

void RedisServer::stop() {
  if (process_) {
    process_->stop(std::chrono::milliseconds(3000));
    process_.reset();
  }
}

void RedisServer::restart() {
  if (process_) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::milliseconds(5000));
    process_.reset();
  }
  start();
}

}  // namespace sw::testing
