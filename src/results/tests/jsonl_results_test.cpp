// Tests of JSON-NL results: line types, profiles, custom fields, filters, paging.
#include "results/jsonl_results.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "results/tests/generated_export.hpp"
#include "support/temp_dir.hpp"

namespace sw::results {
namespace {

using exportgen::HostAuth;

class JsonlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = testing::spec_with({HostAuth::success, HostAuth::not_attempted});
    spec.scan_name = "nightly";
    for (auto& host : spec.hosts) host.findings = 20;
    file_ = testing::write_generated(dir_.path() / "scan.nessus", spec);
  }
  std::vector<nlohmann::json> run(const ResultsQuery& query) {
    std::ostringstream out;
    write_results(file_, query, out);
    std::vector<nlohmann::json> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  sw::testing::TempDir dir_;
  std::filesystem::path file_;
};

// 2 hosts x (20 findings + 3 or 2 credential items) = 45 items.
constexpr int total_items = 45;

TEST_F(JsonlTest, FirstPageOfBriefProfile) {
  const auto lines = run({});
  ASSERT_EQ(lines.size(), 2u + 40u + 1u);
  EXPECT_EQ(lines[0].at("type"), "schema");
  EXPECT_EQ(lines[0].at("profile"), "brief");
  EXPECT_EQ(lines[0].at("fields").size(), 11u);
  EXPECT_EQ(lines[0].at("total_vulnerabilities"), total_items);
  EXPECT_EQ(lines[0].at("total_pages"), 2);
  EXPECT_EQ(lines[1], (nlohmann::json{{"type", "scan_metadata"}, {"scan_name", "nightly"}}));
  EXPECT_EQ(lines[2].at("type"), "vulnerability");
  EXPECT_EQ(lines[2].at("host"), "10.0.0.1");
  EXPECT_EQ(lines[2].at("plugin_id"), "19506");
  EXPECT_TRUE(lines[2].contains("description"));
  EXPECT_FALSE(lines[2].contains("port"));
  const auto& last = lines.back();
  EXPECT_EQ(last.at("type"), "pagination");
  EXPECT_EQ(last.at("has_next"), true);
  EXPECT_EQ(last.at("next_page"), 2);
}

TEST_F(JsonlTest, LastPageAndPageZero) {
  ResultsQuery query;
  query.page = 2;
  auto lines = run(query);
  ASSERT_EQ(lines.size(), 2u + 5u + 1u);
  EXPECT_EQ(lines.back().at("has_next"), false);
  EXPECT_TRUE(lines.back().at("next_page").is_null());
  query.page = 0;
  lines = run(query);
  ASSERT_EQ(lines.size(), 2u + total_items);
  EXPECT_EQ(lines[0].at("total_pages"), 1);
  EXPECT_EQ(lines.back().at("type"), "vulnerability");
}

TEST_F(JsonlTest, PageSizeIsClamped) {
  ResultsQuery query;
  query.page_size = 3;
  auto lines = run(query);
  EXPECT_EQ(lines.back().at("page_size"), 10);
  EXPECT_EQ(lines[0].at("total_pages"), 5);
  query.page_size = 1000;
  lines = run(query);
  EXPECT_EQ(lines.back().at("page_size"), 100);
}

TEST_F(JsonlTest, FullProfileHasEveryFieldWithTypes) {
  ResultsQuery query;
  query.profile = "full";
  query.filters = {{"plugin_id", "150280"}};
  const auto lines = run(query);
  EXPECT_EQ(lines[0].at("fields"), "all");
  const auto& critical = lines.at(2);
  EXPECT_EQ(critical.at("severity"), "4");
  EXPECT_EQ(critical.at("risk_factor"), "High");
  EXPECT_EQ(critical.at("cve"), nlohmann::json::array({"CVE-2021-26691"}));
  EXPECT_EQ(critical.at("cvss3_base_score"), 9.8);
  EXPECT_EQ(critical.at("port"), "443");
}

TEST_F(JsonlTest, MinimalAndCustomFields) {
  ResultsQuery query;
  query.profile = "minimal";
  auto lines = run(query);
  EXPECT_EQ(lines[0].at("fields").size(), 6u);
  EXPECT_FALSE(lines[2].contains("plugin_name"));
  query = {};
  query.custom_fields = {"host", "svc_name"};
  lines = run(query);
  EXPECT_EQ(lines[0].at("profile"), "custom");
  EXPECT_EQ(lines[2], (nlohmann::json{{"type", "vulnerability"}, {"host", "10.0.0.1"}, {"svc_name", "general"}}));
}

TEST_F(JsonlTest, FiltersCombineWithAnd) {
  ResultsQuery query;
  query.page = 0;
  query.filters = {{"svc_name", "HTTP?"}};
  auto lines = run(query);
  EXPECT_EQ(lines[0].at("total_vulnerabilities"), 2);
  EXPECT_EQ(lines[0].at("filters_applied"), (nlohmann::json{{"svc_name", "HTTP?"}}));
  query.filters = {{"cvss3_base_score", ">=9"}, {"host", "10.0.0.2"}};
  lines = run(query);
  for (std::size_t i = 2; i < lines.size(); ++i) EXPECT_EQ(lines[i].at("severity"), "4");
  EXPECT_GE(lines.size(), 3u);
  query.filters = {{"cve", "cve-2024"}, {"severity", ">2"}};
  lines = run(query);
  for (std::size_t i = 2; i < lines.size(); ++i) EXPECT_EQ(lines[i].at("plugin_id"), "201198");
  query.filters = {{"no_such_field", "x"}};
  EXPECT_EQ(run(query)[0].at("total_vulnerabilities"), 0);
}

TEST_F(JsonlTest, RejectsBadQueries) {
  ResultsQuery query;
  query.profile = "huge";
  EXPECT_THROW(run(query), core::Error);
  query.profile = "full";
  query.custom_fields = {"host"};
  EXPECT_THROW(run(query), core::Error);
  EXPECT_THROW(parse_filter("novalue"), core::Error);
  EXPECT_EQ(parse_filter("a=b=c"), (std::pair<std::string, std::string>{"a", "b=c"}));
}

}  // namespace
}  // namespace sw::results
