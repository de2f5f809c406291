// A real redis-server for a test: started on a free loopback port with no persistence,
// in a temporary folder, stopped on destruction; can be restarted on the same port.
// Optionally TLS only (rediss://, certificates from TestCertificates, client certificates
// optional unless the extra arguments say otherwise), a replica of another, or with extra
// arguments (e.g. --min-replicas-to-write 1). RedisSentinel runs a redis-sentinel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"

namespace sw::testing {

struct RedisServerOptions {
  const TestCertificates* tls = nullptr;  // TLS only: --tls-port, no plain port
  bool tls_misnamed_certificate = false;  // serve TestCertificates::misnamed_cert()
  int replica_of_port = 0;                // 0: a master; else a replica of 127.0.0.1:port
  std::vector<std::string> extra_arguments{};
};

class RedisServer {
 public:
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();

  int port() const { return port_; }
  // redis://127.0.0.1:port, or rediss://127.0.0.1:port with TLS.
  std::string url() const;

  // Runs redis-cli with the arguments (and the TLS options it needs); returns its output.
  std::string cli(const std::vector<std::string>& arguments) const;

  void stop();
  void start();
  // kill -9 and start again on the same port (the data set is lost).
  void restart();

 private:
  std::vector<std::string> cli_arguments() const;  // redis-cli and its connection options

  RedisServerOptions options_;
  TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

// A redis-sentinel on a free port that monitors the master `master_name` at
// 127.0.0.1:master_port with quorum 1 (down after 2 s).
class RedisSentinel {
 public:
  RedisSentinel(const std::string& master_name, int master_port);
  ~RedisSentinel();

  int port() const { return port_; }
  // Runs redis-cli against the sentinel; returns its output.
  std::string cli(const std::vector<std::string>& arguments) const;

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sw::testing
