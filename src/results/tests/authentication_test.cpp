// One test per row of docs/authentication.md: the per-host rules (1-12) and the task's
// verdict (A-G), on exports made with exportgen (some with credential items removed, as
// filtered exports have them) and on the real exports of the shared corpus.
#include <gtest/gtest.h>

#include <cstdlib>

#include "results/tests/generated_export.hpp"
#include "results/validator.hpp"
#include "support/temp_dir.hpp"

namespace sw::results {
namespace {

using core::ScanType;
using exportgen::ExportSpec;
using exportgen::HostAuth;
using exportgen::HostEvidence;
using exportgen::HostSpec;

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// `document` without the ReportItems of `plugin_ids` (as a filtered export lacks them).
std::string without_plugins(std::string document, const std::vector<std::string_view>& plugin_ids) {
  for (std::string_view id : plugin_ids) {
    const std::string attribute = "pluginID=\"" + std::string(id) + "\"";
    for (auto at = document.find(attribute); at != std::string::npos; at = document.find(attribute)) {
      const auto begin = document.rfind("<ReportItem ", at);
      const auto end = document.find("</ReportItem>\n", at) + std::string("</ReportItem>\n").size();
      document.erase(begin, end - begin);
    }
  }
  return document;
}

HostSpec host(int n, HostAuth auth, HostEvidence evidence = {}) {
  const std::string ip = "10.0.0." + std::to_string(n);
  return {ip, ip, auth, 4, evidence};
}

// Only what Nessus writes besides plugin 19506 and the credential plugins.
HostEvidence filtered() {
  HostEvidence evidence;
  evidence.scan_information = false;
  evidence.credential_plugins = false;
  return evidence;
}

class AuthenticationTest : public ::testing::Test {
 protected:
  ValidationResult validate_text(const std::string& document, AuthPolicy policy = {}) {
    return validate_export(testing::write_text(dir_.path() / "scan.nessus", document), ScanType::authenticated, policy);
  }
  ValidationResult validate(const ExportSpec& spec, AuthPolicy policy = {}) {
    return validate_text(exportgen::write_export(spec), policy);
  }
  sw::testing::TempDir dir_;
};

ExportSpec spec_of(std::vector<HostSpec> hosts) {
  ExportSpec spec;
  spec.plugin_set_size = 20;
  spec.hosts = std::move(hosts);
  return spec;
}

// Rule 1: the scanner's own host, by each of its three clues.
TEST_F(AuthenticationTest, Rule1ScannerHostByLocalChecksProto) {
  HostEvidence evidence;
  evidence.scan_information = false;  // only local-checks-proto shows it
  const auto result = validate(spec_of({host(1, HostAuth::scanner_local, evidence), host(2, HostAuth::success)}));
  EXPECT_EQ(result.hosts_auth[0].status, AuthStatus::not_applicable);
  EXPECT_TRUE(has(result.hosts_auth[0].evidence, scanner_host_evidence)) << result.hosts_auth[0].evidence;
  EXPECT_TRUE(has(result.hosts_auth[0].evidence, "local-checks-proto: local"));
  EXPECT_EQ(result.authentication_status, AuthStatus::success);
  EXPECT_EQ(result.auth_target_hosts, 1u);
}

TEST_F(AuthenticationTest, Rule1ScannerHostByCredentialedChecksOnTheLocalhost) {
  HostEvidence evidence;
  evidence.local_checks_proto_tag = false;
  const auto result = validate(spec_of({host(1, HostAuth::scanner_local, evidence), host(2, HostAuth::success)}));
  EXPECT_EQ(result.hosts_auth[0].status, AuthStatus::not_applicable);
  EXPECT_TRUE(has(result.hosts_auth[0].evidence, "yes (on the localhost)")) << result.hosts_auth[0].evidence;
}

TEST_F(AuthenticationTest, Rule1ScannerHostByScannerIp) {
  HostEvidence evidence;
  evidence.local_checks_proto_tag = false;
  ExportSpec spec = spec_of({host(1, HostAuth::success, evidence), host(2, HostAuth::success)});
  spec.scanner_ip = "10.0.0.1";
  const auto result = validate(spec);
  EXPECT_EQ(result.hosts_auth[0].status, AuthStatus::not_applicable);
  EXPECT_TRUE(has(result.hosts_auth[0].evidence, "Scanner IP 10.0.0.1 is the host's IP"))
      << result.hosts_auth[0].evidence;
  EXPECT_EQ(result.hosts_auth[1].status, AuthStatus::success);
}

struct RuleCase {
  const char* name;
  HostAuth auth;
  HostEvidence evidence;
  std::vector<std::string_view> removed_plugins;
  AuthStatus status;
  const char* evidence_text;
};

HostEvidence filtered_with(bool credentialed_scan, bool local_checks_proto, int local_findings) {
  HostEvidence evidence = filtered();
  evidence.credentialed_scan_tag = credentialed_scan;
  evidence.local_checks_proto_tag = local_checks_proto;
  evidence.local_findings = local_findings;
  return evidence;
}

// Rules 2-12 on a single remote host.
TEST_F(AuthenticationTest, Rules2To12InTheirOrder) {
  const std::vector<RuleCase> cases = {
      {"2 refused", HostAuth::failure, {}, {}, AuthStatus::failed, "plugin 104410"},
      {"3 assessment failed", HostAuth::failure, {}, {"104410"}, AuthStatus::failed, "plugin 21745"},
      {"4 19506 no",
       HostAuth::failure,
       {},
       {"104410", "21745"},
       AuthStatus::failed,
       "plugin 19506: Credentialed checks : no"},
      {"5 insufficient privilege", HostAuth::insufficient_privilege, {}, {}, AuthStatus::partial, "plugin 110385"},
      {"6 valid credentials", HostAuth::success, {}, {}, AuthStatus::success, "plugin 141118"},
      {"7 assessment available", HostAuth::success, {}, {"141118"}, AuthStatus::success, "plugin 117887"},
      {"8 19506 yes",
       HostAuth::success,
       {},
       {"141118", "117887"},
       AuthStatus::success,
       "plugin 19506: Credentialed checks : yes, as 'svc-nessus' via ssh"},
      {"9 Credentialed_Scan true",
       HostAuth::success,
       filtered_with(true, false, 0),
       {},
       AuthStatus::success,
       "HostProperties Credentialed_Scan: true"},
      {"9 Credentialed_Scan false",
       HostAuth::failure,
       filtered_with(true, false, 0),
       {},
       AuthStatus::failed,
       "HostProperties Credentialed_Scan: false"},
      {"10 local-checks-proto",
       HostAuth::success,
       filtered_with(false, true, 0),
       {},
       AuthStatus::success,
       "HostProperties local-checks-proto: ssh"},
      {"11 plugin_type local",
       HostAuth::success,
       filtered_with(false, false, 3),
       {},
       AuthStatus::success,
       "3 findings of plugin_type local"},
      {"12 nothing",
       HostAuth::success,
       filtered_with(false, false, 0),
       {},
       AuthStatus::unknown,
       "no credential evidence"},
  };
  for (const RuleCase& rule : cases) {
    SCOPED_TRACE(rule.name);
    const auto result = validate_text(
        without_plugins(exportgen::write_export(spec_of({host(1, rule.auth, rule.evidence)})), rule.removed_plugins));
    ASSERT_EQ(result.hosts_auth.size(), 1u);
    EXPECT_EQ(result.hosts_auth[0].status, rule.status) << result.hosts_auth[0].evidence;
    EXPECT_TRUE(has(result.hosts_auth[0].evidence, rule.evidence_text)) << result.hosts_auth[0].evidence;
  }
}

// A: only the scanner's own host: unknown, valid, with the reason.
TEST_F(AuthenticationTest, VerdictAOnlyTheScannerHost) {
  const auto result = validate(spec_of({host(1, HostAuth::scanner_local)}));
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::unknown);
  EXPECT_EQ(result.auth_target_hosts, 0u);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(has(result.warnings[0], "no target host besides the scanner's own")) << result.warnings[0];
  EXPECT_TRUE(has(result.warnings[0], scanner_host_evidence));
  EXPECT_TRUE(result.stats_json().at("auth_success_percent").is_null());
}

// B: every target host succeeded.
TEST_F(AuthenticationTest, VerdictBAllTargetsSucceeded) {
  const auto result = validate(spec_of({host(1, HostAuth::success), host(2, HostAuth::scanner_local)}));
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::success);
  EXPECT_EQ(result.stats_json().at("auth_success_percent"), 100.0);
}

// C: the export: every remote host "Credentialed checks : no", only the scanner
// said yes. Failed, with the reason, and the failed hosts listed (first 20, a count).
TEST_F(AuthenticationTest, VerdictCOnlyTheScannerHostAuthenticated) {
  std::vector<HostSpec> hosts{host(1, HostAuth::scanner_local)};
  for (int n = 2; n <= 35; ++n) hosts.push_back(host(n, HostAuth::not_attempted));
  const auto result = validate(spec_of(hosts));
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error, ValidationError::auth_failed);
  EXPECT_EQ(result.authentication_status, AuthStatus::failed);
  EXPECT_TRUE(has(result.error_message, "authentication failed on every target host: 10.0.0.2 (failed: plugin 19506"))
      << result.error_message;
  EXPECT_TRUE(has(result.error_message, "and 14 more")) << result.error_message;
  EXPECT_TRUE(has(result.error_message,
                  std::string("Not counted: 10.0.0.1 (not_applicable: ") + std::string(scanner_host_evidence)))
      << result.error_message;
  const nlohmann::json stats = result.stats_json();
  EXPECT_EQ(stats.at("auth_failed_hosts_count"), 34);
  ASSERT_EQ(stats.at("auth_failed_hosts").size(), hosts_listed);
  EXPECT_EQ(stats.at("auth_failed_hosts")[0].at("host"), "10.0.0.2");
  EXPECT_TRUE(has(stats.at("auth_failed_hosts")[0].at("evidence").get<std::string>(), "Credentialed checks : no"));
  EXPECT_EQ(stats.at("auth_target_hosts"), 34);
  EXPECT_EQ(stats.at("auth_succeeded_hosts"), 0);
}

// D: no target host shows anything: unknown, valid, with a warning.
TEST_F(AuthenticationTest, VerdictDNoEvidence) {
  const auto result = validate(spec_of({host(1, HostAuth::success, filtered_with(false, false, 0)),
                                        host(2, HostAuth::success, filtered_with(false, false, 0))}));
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::unknown);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(has(result.warnings[0], "no evidence of whether the credentials worked"));
}

std::vector<HostSpec> succeeded_and_failed(int succeeded, int failed) {
  std::vector<HostSpec> hosts;
  for (int n = 1; n <= succeeded + failed; ++n)
    hosts.push_back(host(n, n <= succeeded ? HostAuth::success : HostAuth::failure));
  return hosts;
}

// E: some logged in, no threshold: partial and valid (the unauthenticated findings are real).
TEST_F(AuthenticationTest, VerdictEPartialWithoutThreshold) {
  const auto result = validate(spec_of(succeeded_and_failed(1, 3)));
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::partial);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(has(result.warnings[0], "(1 of 4)")) << result.warnings[0];
  EXPECT_EQ(result.stats_json().at("auth_failed_hosts_count"), 3);
  EXPECT_TRUE(result.stats_json().at("auth_min_success_percent").is_null());
}

// F: partial at or above AUTH_MIN_SUCCESS_PERCENT stays valid.
TEST_F(AuthenticationTest, VerdictFPartialAboveThreshold) {
  const auto result = validate(spec_of(succeeded_and_failed(9, 1)), AuthPolicy{90});
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::partial);
  EXPECT_EQ(result.stats_json().at("auth_min_success_percent"), 90);
  EXPECT_EQ(result.stats_json().at("auth_success_percent"), 90.0);
}

// G: partial below AUTH_MIN_SUCCESS_PERCENT fails auth_failed, naming the share and the hosts.
TEST_F(AuthenticationTest, VerdictGPartialBelowThreshold) {
  const auto result = validate(spec_of(succeeded_and_failed(1, 3)), AuthPolicy{90});
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error, ValidationError::auth_failed);
  EXPECT_EQ(result.authentication_status, AuthStatus::partial);
  EXPECT_TRUE(has(result.error_message,
                  "authentication succeeded on 1 of 4 target hosts (25 %), less than "
                  "AUTH_MIN_SUCCESS_PERCENT=90: 10.0.0.2 (failed: plugin 104410"))
      << result.error_message;
}

TEST_F(AuthenticationTest, UntrustedScansAreNotJudged) {
  const auto file = testing::write_generated(dir_.path() / "u.nessus", spec_of(succeeded_and_failed(0, 2)));
  const auto result = validate_export(file, ScanType::untrusted, AuthPolicy{90});
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::not_applicable);
  EXPECT_EQ(result.stats_json().at("auth_failed_hosts_count"), 0);
}

// The real exports of the shared corpus that show these rows (skipped without it).
std::filesystem::path corpus_file(const char* name) {
  const char* source = std::getenv("SW_SOURCE_DIR");
  if (!source) return {};
  const auto file = std::filesystem::path(source) / ".." / "shared" / "corpus" / name;
  return std::filesystem::exists(file) ? file : std::filesystem::path();
}

// mitre/saf sample: the scanner (10.0.0.3, "yes (on the localhost)") and two remote hosts
// with "Credentialed checks : no": rules 1 and 4, verdict C.
TEST(AuthenticationCorpus, ScannerHostAndTwoFailedRemoteHosts) {
  const auto file = corpus_file("mitre-saf-sample.nessus");
  if (file.empty()) GTEST_SKIP() << "corpus not found (SW_SOURCE_DIR/../shared/corpus)";
  const auto result = validate_export(file, ScanType::authenticated);
  EXPECT_EQ(result.error, ValidationError::auth_failed);
  EXPECT_EQ(result.authentication_status, AuthStatus::failed);
  ASSERT_EQ(result.hosts_auth.size(), 3u);
  EXPECT_EQ(result.hosts_auth[0].host, "10.0.0.3");
  EXPECT_EQ(result.hosts_auth[0].status, AuthStatus::not_applicable);
  EXPECT_TRUE(has(result.error_message, scanner_host_evidence)) << result.error_message;
  EXPECT_EQ(result.failed_hosts().size(), 2u);
}

// pyTenable example: one host with local-checks-proto local (Scanner IP 127.0.0.1):
// rule 1, verdict A.
TEST(AuthenticationCorpus, OnlyTheScannerHost) {
  const auto file = corpus_file("pytenable-example.nessus");
  if (file.empty()) GTEST_SKIP() << "corpus not found (SW_SOURCE_DIR/../shared/corpus)";
  const auto result = validate_export(file, ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::unknown);
  EXPECT_EQ(result.hosts_auth.at(0).status, AuthStatus::not_applicable);
}

// seccubus compliance scan: no plugin 19506, local-checks-proto ssh: rule 10, verdict B.
TEST(AuthenticationCorpus, LocalChecksProtoWithout19506) {
  const auto file = corpus_file("seccubus-seccubus-compliance.nessus");
  if (file.empty()) GTEST_SKIP() << "corpus not found (SW_SOURCE_DIR/../shared/corpus)";
  const auto result = validate_export(file, ScanType::authenticated);
  EXPECT_TRUE(result.valid);
  EXPECT_EQ(result.authentication_status, AuthStatus::success);
  EXPECT_TRUE(has(result.hosts_auth.at(0).evidence, "local-checks-proto: ssh")) << result.hosts_auth.at(0).evidence;
}

}  // namespace
}  // namespace sw::results
