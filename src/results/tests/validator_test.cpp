// Tests of validate_export on generated exports: each authentication outcome, each
// error reason, severity buckets, DOCTYPE handling, the 19506 line parser and the JSON
// shape of validation_stats (the verdict rules are in authentication_test.cpp).
#include "results/validator.hpp"

#include <gtest/gtest.h>

#include "results/tests/generated_export.hpp"
#include "support/temp_dir.hpp"

namespace sw::results {
namespace {

using core::ScanType;
using exportgen::HostAuth;
using testing::spec_with;
using testing::write_generated;
using testing::write_text;

TEST(CredentialedChecksValue, ReadsEveryForm) {
  EXPECT_EQ(credentialed_checks_value("Scan type : Normal\nCredentialed checks : no\nX : y\n"), "no");
  EXPECT_EQ(credentialed_checks_value("  credentialed CHECKS : yes, as 'DOMAIN\\user' via SMB\r\n"),
            "yes, as 'DOMAIN\\user' via SMB");
  EXPECT_EQ(credentialed_checks_value("Credentialed checks : yes (on the localhost)"), "yes (on the localhost)");
  EXPECT_EQ(credentialed_checks_value("Scan type : Normal\n"), std::nullopt);
}

class ValidatorTest : public ::testing::Test {
 protected:
  ValidationResult validate(const exportgen::ExportSpec& spec, ScanType type) {
    return validate_export(write_generated(dir_.path() / "scan.nessus", spec), type);
  }
  sw::testing::TempDir dir_;
};

TEST_F(ValidatorTest, CountsLikeTheGenerator) {
  const auto spec = spec_with({HostAuth::success, HostAuth::success});
  const ValidationResult result = validate(spec, ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.hosts_scanned, 2u);
  EXPECT_EQ(result.total_plugins, 2u * (3 + 6));
  EXPECT_EQ(result.auth_plugins_found, 4u);
  SeverityCounts expected;
  expected.info = 6;
  for (std::size_t h = 0; h < 2; ++h) {
    for (int i = 0; i < 6; ++i) {
      switch (exportgen::finding_severity(spec.seed, h, i)) {
        case 0:
          ++expected.info;
          break;
        case 1:
          ++expected.low;
          break;
        case 2:
          ++expected.medium;
          break;
        case 3:
          ++expected.high;
          break;
        default:
          ++expected.critical;
          break;
      }
    }
  }
  EXPECT_EQ(result.severity_counts.critical, expected.critical);
  EXPECT_EQ(result.severity_counts.high, expected.high);
  EXPECT_EQ(result.severity_counts.medium, expected.medium);
  EXPECT_EQ(result.severity_counts.low, expected.low);
  EXPECT_EQ(result.severity_counts.info, expected.info);
  EXPECT_EQ(result.credentialed_status_raw, "yes, as 'svc-nessus' via ssh");
  EXPECT_EQ(result.authentication_status, AuthStatus::success);
  EXPECT_TRUE(result.warnings.empty());
}

TEST_F(ValidatorTest, UntrustedScanIsNotApplicable) {
  const ValidationResult result = validate(spec_with({HostAuth::not_attempted}), ScanType::untrusted);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::not_applicable);
  EXPECT_EQ(result.credentialed_status_raw, "no");
  EXPECT_EQ(result.hosts_auth.at(0).status, AuthStatus::not_applicable);
}

TEST_F(ValidatorTest, FailureOnEveryHostIsInvalidAndSaysWhy) {
  const ValidationResult result =
      validate(spec_with({HostAuth::failure, HostAuth::not_attempted}), ScanType::authenticated_privileged);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error, ValidationError::auth_failed);
  EXPECT_EQ(result.authentication_status, AuthStatus::failed);
  EXPECT_NE(result.error_message.find("10.0.0.1 (failed: plugin 104410"), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("10.0.0.2 (failed: plugin 19506: Credentialed checks : no"), std::string::npos);
  EXPECT_NE(result.error_message.find("password"), std::string::npos);
}

TEST_F(ValidatorTest, SomeHostsFailingIsPartialWithAWarning) {
  const ValidationResult result = validate(spec_with({HostAuth::success, HostAuth::failure}), ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::partial);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("10.0.0.2"), std::string::npos);
  EXPECT_EQ(result.warnings[0].find("10.0.0.1"), std::string::npos);
}

TEST_F(ValidatorTest, InsufficientPrivilegeIsPartial) {
  const ValidationResult result = validate(spec_with({HostAuth::insufficient_privilege}), ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::partial);
  EXPECT_EQ(result.hosts_auth.at(0).status, AuthStatus::partial);
  EXPECT_NE(result.hosts_auth.at(0).evidence.find("110385"), std::string::npos);
}

TEST_F(ValidatorTest, NoEvidenceIsUnknownWithAWarning) {
  const auto file = write_text(dir_.path() / "x.nessus", R"(<?xml version="1.0" ?>
<NessusClientData_v2><Report name="r"><ReportHost name="h"><HostProperties></HostProperties>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="2" pluginID="1" pluginName="n" pluginFamily="f"/>
</ReportHost></Report></NessusClientData_v2>
)");
  const ValidationResult result = validate_export(file, ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::unknown);
  EXPECT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.credentialed_status_raw, std::nullopt);
}

TEST_F(ValidatorTest, EmptyScanIsInvalid) {
  exportgen::ExportSpec spec;
  const ValidationResult result = validate(spec, ScanType::untrusted);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error, ValidationError::empty_scan);
}

TEST_F(ValidatorTest, MissingFile) {
  const ValidationResult result = validate_export(dir_.path() / "absent.nessus", ScanType::untrusted);
  EXPECT_EQ(result.error, ValidationError::file_not_found);
  EXPECT_FALSE(result.valid);
}

TEST_F(ValidatorTest, TooSmallFile) {
  const ValidationResult result =
      validate_export(write_text(dir_.path() / "tiny.nessus", "<NessusClientData_v2/>"), ScanType::untrusted);
  EXPECT_EQ(result.error, ValidationError::too_small);
  EXPECT_EQ(result.file_size_bytes, 22u);
}

TEST_F(ValidatorTest, TruncatedFileIsXmlInvalid) {
  std::string text = exportgen::write_export(spec_with({HostAuth::success}));
  text.resize(text.size() / 2);
  const ValidationResult result =
      validate_export(write_text(dir_.path() / "cut.nessus", text), ScanType::authenticated);
  EXPECT_EQ(result.error, ValidationError::xml_invalid);
  EXPECT_NE(result.error_message.find("line "), std::string::npos);
}

TEST_F(ValidatorTest, DirectoryIsOther) {
  const ValidationResult result = validate_export(dir_.path(), ScanType::untrusted);
  EXPECT_EQ(result.error, ValidationError::other);
}

// Padded severities count as their number; blank and out-of-range ones in `other`, with a
// warning, so that the buckets add up to the items.
TEST_F(ValidatorTest, SeverityBucketsAddUpToTheItems) {
  const auto spec = spec_with({HostAuth::success});
  std::string document = exportgen::write_export(spec);
  auto replace_first = [&document](const std::string& from, const std::string& to) {
    const auto at = document.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    document.replace(at, from.size(), to);
  };
  replace_first("severity=\"4\"", "severity=\" 4\"");  // the second finding is critical
  replace_first("severity=\"2\"", "severity=\"\"");    // the first is medium
  const ValidationResult base = validate(spec, ScanType::authenticated);
  const ValidationResult result =
      validate_export(write_text(dir_.path() / "odd.nessus", document), ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.severity_counts.critical, base.severity_counts.critical);
  EXPECT_EQ(result.severity_counts.medium, base.severity_counts.medium - 1);
  EXPECT_EQ(result.severity_counts.other, 1u);
  const SeverityCounts& c = result.severity_counts;
  EXPECT_EQ(c.critical + c.high + c.medium + c.low + c.info + c.other, result.total_plugins);
  EXPECT_EQ(result.total_vulnerabilities(), base.total_vulnerabilities() - 1);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("1 findings have a severity that is blank or not 0-4"), std::string::npos)
      << result.warnings[0];
  EXPECT_NE(result.warnings[0].find("10.0.0.1 plugin 42873 (severity \"\")"), std::string::npos) << result.warnings[0];
  EXPECT_EQ(result.stats_json().at("severity_counts").at("other"), 1);
}

TEST_F(ValidatorTest, PlainDoctypeIsAcceptedAnInternalSubsetIsNot) {
  std::string document = exportgen::write_export(spec_with({HostAuth::success}));
  const auto declaration_end = document.find("?>") + 2;
  std::string plain = document;
  plain.insert(declaration_end, "\n<!DOCTYPE NessusClientData_v2>");
  EXPECT_TRUE(validate_export(write_text(dir_.path() / "plain.nessus", plain), ScanType::authenticated).valid);
  std::string subset = document;
  subset.insert(declaration_end, "\n<!DOCTYPE NessusClientData_v2 [<!ENTITY e \"x\">]>");
  const ValidationResult refused =
      validate_export(write_text(dir_.path() / "subset.nessus", subset), ScanType::authenticated);
  EXPECT_EQ(refused.error, ValidationError::xml_invalid);
  EXPECT_NE(refused.error_message.find("entity declarations are not allowed"), std::string::npos);
}

TEST_F(ValidatorTest, JsonHasTheDesignKeys) {
  const nlohmann::json json = validate(spec_with({HostAuth::success}), ScanType::authenticated).to_json();
  EXPECT_EQ(json.at("valid"), true);
  EXPECT_TRUE(json.at("error_reason").is_null());
  EXPECT_EQ(json.at("authentication_status"), "success");
  const nlohmann::json& stats = json.at("validation_stats");
  for (const char* key : {"file_size_bytes", "hosts_scanned", "total_plugins", "auth_plugins_found",
                          "credentialed_status_raw", "severity_counts", "total_vulnerabilities"}) {
    EXPECT_TRUE(stats.contains(key)) << key;
  }
  for (const char* key : {"auth_target_hosts", "auth_succeeded_hosts", "auth_success_percent",
                          "auth_min_success_percent", "auth_failed_hosts", "auth_failed_hosts_count"}) {
    EXPECT_TRUE(stats.contains(key)) << key;
  }
  for (const char* key : {"critical", "high", "medium", "low", "info", "other"}) {
    EXPECT_TRUE(stats.at("severity_counts").contains(key)) << key;
  }
  EXPECT_EQ(stats.at("hosts_auth").at(0).at("status"), "success");
}

}  // namespace
}  // namespace sw::results
