// A small blocking HTTP/1.1 client for tests (plain or TLS without verification), on Beast.
// It keeps the connection open between requests when the server allows it and reports
// partial answers (headers received, body cut off) for fault-injection tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace sw::http::testing {

struct TestResponse {
  bool connected = false;         // the TCP (and TLS) connection was made
  bool headers_received = false;  // status line and headers arrived
  bool complete = false;          // the whole body arrived
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  bool keep_alive = false;

  std::string header(const std::string& lowercase_name) const;
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port, bool tls = false,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  TestResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {});
  TestResponse get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    return request("GET", target, {}, headers);
  }

  // Connections opened so far (keep-alive reuse keeps it at 1).
  int connections_opened() const;
  // SHA-256 (lowercase hex) of the server certificate seen on the last TLS connection.
  std::string peer_fingerprint() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sw::http::testing
