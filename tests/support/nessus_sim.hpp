// A real nessus-sim process for tests: started on a free port with extra arguments, its
// port read from the "listening on" line; inspection (/__sim/stats) and fault switches
// (/__sim/faults) over HTTP.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sw::testing {

class NessusSim {
 public:
  explicit NessusSim(std::vector<std::string> extra_args = {});

  int port() const { return port_; }
  bool tls() const { return tls_; }
  std::string url() const;
  const std::string& fingerprint() const { return fingerprint_; }

  nlohmann::json stats() const;
  // POST a JSON body to a /__sim/ path; returns the HTTP status.
  int post(const std::string& path, const nlohmann::json& body) const;

  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  bool tls_ = false;
  std::string fingerprint_;
};

}  // namespace sw::testing
