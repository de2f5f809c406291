// nessus-sim fixture.
#include "support/nessus_sim.hpp"

#include <algorithm>
#include <stdexcept>

#include "http/testing/test_client.hpp"

namespace sw::testing {

NessusSim::NessusSim(std::vector<std::string> extra_args) {
  tls_ = std::find(extra_args.begin(), extra_args.end(), "--tls") != extra_args.end();
  std::vector<std::string> argv = {program_path("nessus-sim"), "--port", "0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv);
  if (tls_) {
    const auto line = process_->wait_for_line("tls fingerprint sha256 ", std::chrono::milliseconds(20000));
    if (!line) throw std::runtime_error("nessus-sim did not print its TLS fingerprint");
    fingerprint_ = line->substr(line->rfind(' ') + 1);
  }
  const auto line = process_->wait_for_line("listening on ", std::chrono::milliseconds(20000));
  if (!line) {
    throw std::runtime_error("nessus-sim did not start");
  }
  port_ = std::stoi(line->substr(line->rfind(':') + 1));
}

std::string NessusSim::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

nlohmann::json NessusSim::stats() const {
  http::testing::TestClient client(static_cast<std::uint16_t>(port_), tls_);
  const auto response = client.get("/__sim/stats");
  if (response.status != 200) {
    throw std::runtime_error("GET /__sim/stats answered " + std::to_string(response.status));
  }
  return nlohmann::json::parse(response.body);
}

int NessusSim::post(const std::string& path, const nlohmann::json& body) const {
  http::testing::TestClient client(static_cast<std::uint16_t>(port_), tls_);
  return client.request("POST", path, body.dump(), {{"Content-Type", "application/json"}}).status;
}

}  // namespace sw::testing
