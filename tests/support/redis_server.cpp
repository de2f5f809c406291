// redis-server and redis-sentinel fixtures.
#include "support/redis_server.hpp"

#include <signal.h>

#include <fstream>
#include <stdexcept>

namespace sw::testing {

namespace {

std::string run_cli(std::vector<std::string> argv) {
  ChildProcess process(std::move(argv), {}, "/dev/null");
  process.wait(std::chrono::milliseconds(5000));
  return process.drain_stdout();
}

// Waits until PING through redis-cli (with `connection` arguments) answers PONG.
void wait_until_up(const std::vector<std::string>& connection, const std::string& what) {
  const bool up = eventually(
      [&] {
        try {
          std::vector<std::string> argv = connection;
          argv.push_back("ping");
          return run_cli(argv).find("PONG") != std::string::npos;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::milliseconds(10000), std::chrono::milliseconds(50));
  if (!up) {
    throw std::runtime_error(what + " did not start");
  }
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)), port_(free_port()) { start(); }

RedisServer::~RedisServer() { stop(); }

std::string RedisServer::url() const {
  return (options_.tls ? "rediss://127.0.0.1:" : "redis://127.0.0.1:") + std::to_string(port_);
}

std::vector<std::string> RedisServer::cli_arguments() const {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-p", std::to_string(port_)};
  if (options_.tls) {
    argv.insert(argv.end(), {"--tls", "--cacert", options_.tls->ca_file().string(), "--cert",
                             options_.tls->client_cert().string(), "--key", options_.tls->client_key().string()});
  }
  return argv;
}

std::string RedisServer::cli(const std::vector<std::string>& arguments) const {
  std::vector<std::string> argv = cli_arguments();
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_cli(argv);
}

void RedisServer::start() {
  std::vector<std::string> argv{
      "/usr/bin/redis-server", "--bind",     "127.0.0.1", "--save",      "",  "--appendonly", "no", "--dir",
      dir_.path().string(),    "--loglevel", "warning",   "--daemonize", "no"};
  if (options_.tls) {
    const bool misnamed = options_.tls_misnamed_certificate;
    const auto cert = misnamed ? options_.tls->misnamed_cert() : options_.tls->server_cert();
    const auto key = misnamed ? options_.tls->misnamed_key() : options_.tls->server_key();
    argv.insert(argv.end(), {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file", cert.string(),
                             "--tls-key-file", key.string(), "--tls-ca-cert-file", options_.tls->ca_file().string(),
                             "--tls-auth-clients", "optional"});
    if (options_.replica_of_port != 0) {
      argv.insert(argv.end(), {"--tls-replication", "yes"});
    }
  } else {
    argv.insert(argv.end(), {"--port", std::to_string(port_)});
  }
  if (options_.replica_of_port != 0) {
    argv.insert(argv.end(), {"--replicaof", "127.0.0.1", std::to_string(options_.replica_of_port)});
  }
  argv.insert(argv.end(), options_.extra_arguments.begin(), options_.extra_arguments.end());
  process_ = std::make_unique<ChildProcess>(argv);
  wait_until_up(cli_arguments(), "redis-server on port " + std::to_string(port_));
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

RedisSentinel::RedisSentinel(const std::string& master_name, int master_port) : port_(free_port()) {
  const auto config = dir_.path() / "sentinel.conf";
  std::ofstream(config) << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_.path().string() << "\nsentinel monitor "
                        << master_name << " 127.0.0.1 " << master_port << " 1"
                        << "\nsentinel down-after-milliseconds " << master_name << " 2000"
                        << "\nsentinel failover-timeout " << master_name << " 10000\n";
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/redis-sentinel", config.string(), "--loglevel", "warning"});
  wait_until_up({"/usr/bin/redis-cli", "-p", std::to_string(port_)}, "redis-sentinel on port " + std::to_string(port_));
}

RedisSentinel::~RedisSentinel() {
  if (process_) {
    process_->stop(std::chrono::milliseconds(3000));
  }
}

std::string RedisSentinel::cli(const std::vector<std::string>& arguments) const {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-p", std::to_string(port_)};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_cli(argv);
}

}  // namespace sw::testing
