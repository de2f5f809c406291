// Tests of JSON-NL results: line types, profiles, custom fields, filters (numeric
// operators), paging, the two totals, truncation marks and padded severities.
#include "results/jsonl_results.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "results/filters.hpp"
#include "results/nessus_reader.hpp"
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

// Findings of severity 1-4 in JsonlTest's export (the credential items are info).
int vulnerabilities_in_export() {
  int count = 0;
  for (std::size_t host = 0; host < 2; ++host) {
    for (int i = 0; i < 20; ++i) count += exportgen::finding_severity(1, host, i) >= 1 ? 1 : 0;
  }
  return count;
}

TEST_F(JsonlTest, FirstPageOfBriefProfile) {
  const auto lines = run({});
  ASSERT_EQ(lines.size(), 2u + 40u + 1u);
  EXPECT_EQ(lines[0].at("type"), "schema");
  EXPECT_EQ(lines[0].at("profile"), "brief");
  EXPECT_EQ(lines[0].at("fields").size(), 11u);
  EXPECT_EQ(lines[0].at("total_records"), total_items);
  EXPECT_EQ(lines[0].at("total_vulnerabilities"), vulnerabilities_in_export());
  EXPECT_LT(vulnerabilities_in_export(), total_items);
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
  EXPECT_EQ(lines[0].at("total_records"), total_items);
  EXPECT_EQ(lines[0].at("total_vulnerabilities"), vulnerabilities_in_export());
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
  EXPECT_EQ(run(query)[0].at("total_records"), 0);
}

TEST_F(JsonlTest, NumericOperatorsOnSeverityAndScores) {
  ResultsQuery query;
  query.page = 0;
  query.profile = "full";
  const auto all = run(query);
  for (const auto& [field, bound] : std::vector<std::pair<std::string, double>>{
           {"severity", 3}, {"cvss3_base_score", 7.0}, {"cvss_base_score", 5}}) {
    for (const std::string op : {">=", ">", "<=", "<", "="}) {
      SCOPED_TRACE(field + op);
      int expected = 0;
      for (std::size_t i = 2; i < all.size(); ++i) {
        const auto found = all[i].find(field);
        if (found == all[i].end() || found->is_null()) continue;
        const double value = found->is_string() ? std::stod(found->get<std::string>()) : found->get<double>();
        const bool match = op == ">="   ? value >= bound
                           : op == ">"  ? value > bound
                           : op == "<=" ? value <= bound
                           : op == "<"  ? value < bound
                                        : value == bound;
        expected += match ? 1 : 0;
      }
      std::ostringstream text;
      text << op << bound;
      query.filters = {{field, text.str()}};
      EXPECT_EQ(run(query)[0].at("total_records"), expected);
    }
  }
  query.filters = {{"severity", ">=high"}};
  EXPECT_THROW(run(query), core::Error);
  EXPECT_THROW(parse_filter("cvss3_base_score=>"), core::Error);
  EXPECT_NO_THROW(parse_filter("cvss3_base_score=>= 7.0"));
}

TEST(FilterMatches, NumericStringsNullsAndLists) {
  const nlohmann::ordered_json record{{"severity", "3"},
                                      {"cvss3_base_score", 7.5},
                                      {"cvss_base_score", nullptr},
                                      {"vpr_score", "6.7"},
                                      {"cve", {"CVE-2024-6387", "CVE-2023-1"}},
                                      {"exploit_available", true}};
  EXPECT_TRUE(filter_matches(record, {"severity", ">=3"}));
  EXPECT_FALSE(filter_matches(record, {"severity", ">3"}));
  EXPECT_TRUE(filter_matches(record, {"cvss3_base_score", ">=7.0"}));
  EXPECT_TRUE(filter_matches(record, {"cvss3_base_score", "=7.5"}));
  EXPECT_FALSE(filter_matches(record, {"cvss_base_score", ">=0"}));
  EXPECT_TRUE(filter_matches(record, {"vpr_score", "<7"}));
  EXPECT_TRUE(filter_matches(record, {"cve", "cve-2023"}));
  EXPECT_TRUE(filter_matches(record, {"exploit_available", "true"}));
  EXPECT_FALSE(filter_matches(record, {"missing", ">=0"}));
}

TEST(JsonlResults, TruncatedPluginOutputIsMarked) {
  sw::testing::TempDir dir;
  auto spec = testing::spec_with({HostAuth::success});
  std::string document = exportgen::write_export(spec);
  const std::string big(default_text_limit + 100, 'x');
  const auto output = document.find("<plugin_output>") + std::string("<plugin_output>").size();
  document.insert(output, big);  // the first item: 19506
  const auto file = testing::write_text(dir.path() / "big.nessus", document);
  ResultsQuery query;
  query.page = 0;
  query.custom_fields = {"plugin_id", "plugin_output"};
  std::ostringstream out;
  write_results(file, query, out);
  std::istringstream in(out.str());
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    if (record.at("type") == "vulnerability") records.push_back(std::move(record));
  }
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0].at("plugin_id"), "19506");
  EXPECT_EQ(records[0].at("plugin_output").get<std::string>().size(), default_text_limit);
  EXPECT_EQ(records[0].at("plugin_output_truncated"), true);
  EXPECT_FALSE(records[1].contains("plugin_output_truncated"));
}

TEST(JsonlResults, PaddedSeverityIsItsNumberOthersAsWritten) {
  sw::testing::TempDir dir;
  const auto file = testing::write_text(dir.path() / "s.nessus", R"(<?xml version="1.0" ?>
<NessusClientData_v2><Report name="r"><ReportHost name="h"><HostProperties></HostProperties>
<ReportItem port="0" svc_name="general" protocol="tcp" severity=" 3" pluginID="1" pluginName="a" pluginFamily="f"/>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="" pluginID="2" pluginName="b" pluginFamily="f"/>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="7" pluginID="3" pluginName="c" pluginFamily="f"/>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" pluginID="4" pluginName="d" pluginFamily="f"/>
</ReportHost></Report></NessusClientData_v2>
)");
  ResultsQuery query;
  query.page = 0;
  query.profile = "minimal";
  std::ostringstream out;
  write_results(file, query, out);
  std::istringstream in(out.str());
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].at("total_records"), 4);
  EXPECT_EQ(lines[0].at("total_vulnerabilities"), 1);
  EXPECT_EQ(lines[2].at("severity"), "3");
  EXPECT_EQ(lines[3].at("severity"), "");
  EXPECT_EQ(lines[4].at("severity"), "7");
}

TEST_F(JsonlTest, RejectsBadQueries) {
  ResultsQuery query;
  query.profile = "huge";
  EXPECT_THROW(run(query), core::Error);
  query.profile = "full";
  query.custom_fields = {"host"};
  EXPECT_THROW(run(query), core::Error);
  EXPECT_THROW(parse_filter("novalue"), core::Error);
  EXPECT_THROW(parse_filter("=x"), core::Error);
  EXPECT_EQ(parse_filter("a=b=c"), (Filter{"a", "b=c"}));
}

}  // namespace
}  // namespace sw::results
