// Test certificates made with the openssl command.
#include "support/test_certificates.hpp"

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sw::testing {

namespace {

void openssl(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  ChildProcess process(argv, {}, "/dev/null");
  const auto status = process.wait(std::chrono::milliseconds(30000));
  if (status != 0) {
    throw std::runtime_error("openssl " + arguments.front() + " failed");
  }
}

void make_ca(const std::string& key, const std::string& cert, const std::string& name) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
           cert, "-days", "2", "-subj", "/CN=" + name});
}

void make_signed(const std::filesystem::path& dir, const std::string& name, const std::string& extensions) {
  const std::string base = (dir / name).string();
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", base + ".key", "-out",
           base + ".csr", "-subj", "/CN=" + name});
  const std::string extfile = base + ".ext";
  std::ofstream(extfile) << extensions << "\n";
  openssl({"x509", "-req", "-in", base + ".csr", "-CA", (dir / "ca.crt").string(), "-CAkey", (dir / "ca.key").string(),
           "-CAcreateserial", "-out", base + ".crt", "-days", "2", "-extfile", extfile});
}

}  // namespace

TestCertificates::TestCertificates() {
  const auto& dir = dir_.path();
  make_ca((dir / "ca.key").string(), ca_file().string(), "sw-test-ca");
  make_ca((dir / "other-ca.key").string(), other_ca_file().string(), "sw-other-ca");
  make_signed(dir, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
  make_signed(dir, "misnamed", "subjectAltName=DNS:elsewhere.invalid\nextendedKeyUsage=serverAuth");
  make_signed(dir, "client", "extendedKeyUsage=clientAuth");
}

}  // namespace sw::testing
