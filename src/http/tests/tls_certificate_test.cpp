// Tests of the self-signed certificate generator.
#include "http/tls_certificate.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace sw::http {
namespace {

TEST(TlsCertificate, GeneratesPemAndAFingerprintOfTheDerCertificate) {
  const auto certificate = generate_self_signed_certificate();
  EXPECT_NE(certificate.cert_pem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(certificate.key_pem.find("PRIVATE KEY-----"), std::string::npos);
  ASSERT_EQ(certificate.sha256_fingerprint.size(), 64U);
  EXPECT_EQ(certificate.sha256_fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(certificate_fingerprint_sha256(certificate.cert_pem), certificate.sha256_fingerprint);
}

TEST(TlsCertificate, EachCertificateIsDifferent) {
  EXPECT_NE(generate_self_signed_certificate().sha256_fingerprint,
            generate_self_signed_certificate().sha256_fingerprint);
}

TEST(TlsCertificate, RejectsTextThatIsNotACertificate) {
  EXPECT_THROW(certificate_fingerprint_sha256("garbage"), core::Error);
}

}  // namespace
}  // namespace sw::http
