// The real exports of ../shared/corpus give exactly the facts of its expected.json;
// malformed/ and other/ are rejected with the right reason. Skipped without the corpus.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "results/validator.hpp"

namespace sw::results {
namespace {

std::filesystem::path corpus_dir() {
  const char* source = std::getenv("SW_SOURCE_DIR");
  return source ? std::filesystem::path(source) / ".." / "shared" / "corpus" : std::filesystem::path();
}

TEST(Corpus, EveryFileMatchesExpectedJson) {
  const auto dir = corpus_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "expected.json")) {
    GTEST_SKIP() << "corpus not found at " << dir << " (SW_SOURCE_DIR/../shared/corpus)";
  }
  const nlohmann::json expected = nlohmann::json::parse(std::ifstream(dir / "expected.json"));
  int checked = 0;
  for (const nlohmann::json& entry : expected) {
    const std::string name = entry.at("file");
    const nlohmann::json& stats = entry.at("stats");
    SCOPED_TRACE(name);
    const ValidationResult result = validate_export(dir / name, core::ScanType::authenticated);
    if (name.starts_with("malformed/")) {
      EXPECT_EQ(result.error, ValidationError::xml_invalid);
      EXPECT_NE(result.error_message.find("line 1488, column 33"), std::string::npos) << result.error_message;
      continue;
    }
    if (name.starts_with("other/")) {
      EXPECT_EQ(result.error, ValidationError::xml_invalid);
      EXPECT_NE(result.error_message.find("not a NessusClientData_v2 export (root <NessusClientData>)"),
                std::string::npos)
          << result.error_message;
      continue;
    }
    ++checked;
    EXPECT_EQ(result.file_size_bytes, stats.at("file_size_bytes").get<std::uint64_t>());
    EXPECT_EQ(result.hosts_scanned, stats.at("hosts").get<std::uint64_t>());
    EXPECT_EQ(result.total_plugins, stats.at("report_items").get<std::uint64_t>());
    const nlohmann::json& severity = stats.at("severity");
    EXPECT_EQ(result.severity_counts.critical, severity.at("critical").get<std::uint64_t>());
    EXPECT_EQ(result.severity_counts.high, severity.at("high").get<std::uint64_t>());
    EXPECT_EQ(result.severity_counts.medium, severity.at("medium").get<std::uint64_t>());
    EXPECT_EQ(result.severity_counts.low, severity.at("low").get<std::uint64_t>());
    EXPECT_EQ(result.severity_counts.info, severity.at("info").get<std::uint64_t>());
    EXPECT_EQ(result.total_vulnerabilities(), stats.at("total_vulnerabilities").get<std::uint64_t>());
    const nlohmann::json& per_host = stats.at("credentialed_per_host");
    ASSERT_EQ(result.hosts_auth.size(), per_host.size());
    for (std::size_t i = 0; i < per_host.size(); ++i) {
      EXPECT_EQ(result.hosts_auth[i].host, per_host[i].at("host").get<std::string>());
      const nlohmann::json& raw = per_host[i].at("raw");
      if (raw.is_null())
        EXPECT_EQ(result.hosts_auth[i].credentialed_raw, std::nullopt);
      else
        EXPECT_EQ(result.hosts_auth[i].credentialed_raw, raw.get<std::string>());
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace sw::results
