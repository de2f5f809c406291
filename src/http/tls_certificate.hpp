// Self-signed TLS certificates made at run time (EC P-256, CN and SAN 127.0.0.1/localhost),
// for nessus-sim --tls and for tests of certificate pinning.
#pragma once

#include <string>

namespace sw::http {

struct SelfSignedCertificate {
  std::string cert_pem;
  std::string key_pem;
  std::string sha256_fingerprint;  // SHA-256 of the DER certificate, lowercase hex, no separators
};

// Valid from now for `valid_days`. Throws core::Error(internal) when OpenSSL fails.
SelfSignedCertificate generate_self_signed_certificate(const std::string& common_name = "127.0.0.1",
                                                       int valid_days = 365);

// SHA-256 fingerprint (lowercase hex) of the first certificate in `cert_pem`.
std::string certificate_fingerprint_sha256(const std::string& cert_pem);

}  // namespace sw::http
