// A private CA and certificates it signed (server: SAN IP 127.0.0.1 and localhost; client),
// plus an unrelated CA, made with the openssl command in a temporary folder: for TLS tests
// of Redis (rediss://).
#pragma once

#include <filesystem>

#include "support/temp_dir.hpp"

namespace sw::testing {

class TestCertificates {
 public:
  // Throws std::runtime_error when openssl fails.
  TestCertificates();

  std::filesystem::path ca_file() const { return dir_.path() / "ca.crt"; }
  std::filesystem::path server_cert() const { return dir_.path() / "server.crt"; }
  std::filesystem::path server_key() const { return dir_.path() / "server.key"; }
  std::filesystem::path client_cert() const { return dir_.path() / "client.crt"; }
  std::filesystem::path client_key() const { return dir_.path() / "client.key"; }
  // Signed by the CA for another host only (SAN DNS:elsewhere.invalid).
  std::filesystem::path misnamed_cert() const { return dir_.path() / "misnamed.crt"; }
  std::filesystem::path misnamed_key() const { return dir_.path() / "misnamed.key"; }
  // A CA that signed none of the above.
  std::filesystem::path other_ca_file() const { return dir_.path() / "other-ca.crt"; }

 private:
  TempDir dir_;
};

}  // namespace sw::testing
