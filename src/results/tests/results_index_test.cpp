// The results index: pages read through it are byte for byte those of the whole-export
// path (generated exports and the real corpus, many queries); an index that is missing,
// old, damaged or not an index at all is never trusted; validate_and_index writes it.
#include "results/results_index.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "results/jsonl_results.hpp"
#include "results/tests/generated_export.hpp"
#include "support/temp_dir.hpp"

namespace sw::results {
namespace {

using exportgen::HostAuth;

// The output of write_results on one path, or the error it threw.
std::string output(const std::filesystem::path& file, const ResultsQuery& query, ResultsPath path) {
  std::ostringstream out;
  try {
    write_results(file, query, out, path);
  } catch (const core::Error& e) {
    out << "error: " << e.what();
  }
  return out.str();
}

ResultsQuery query_of(std::string profile, std::vector<Filter> filters, int page, int page_size = 40,
                      std::vector<std::string> fields = {}) {
  ResultsQuery query;
  query.profile = std::move(profile);
  query.filters = std::move(filters);
  query.page = page;
  query.page_size = page_size;
  query.custom_fields = std::move(fields);
  return query;
}

// Queries that cover the profiles, custom fields, every kind of filter (indexed fields
// and others), first, middle, last, empty and "all" pages.
std::vector<ResultsQuery> queries() {
  std::vector<ResultsQuery> all;
  for (int page : {0, 1, 2, 3, 50, 1000}) {
    all.push_back(query_of("brief", {}, page));
    all.push_back(query_of("minimal", {{"severity", ">=3"}}, page, 10));
  }
  all.push_back(query_of("full", {{"severity", "4"}}, 2, 100));
  all.push_back(query_of("summary", {{"cve", "2024"}, {"exploit_available", "false"}}, 1));
  all.push_back(query_of("brief", {{"cvss3_base_score", ">=7.0"}, {"host", "10.0.0.2"}}, 1, 15));
  all.push_back(query_of("brief", {{"port", "22"}, {"protocol", "TCP"}, {"svc_name", "ssh"}}, 1));
  all.push_back(query_of("brief", {{"plugin_id", "19506"}, {"type", "vulnerability"}}, 0));
  all.push_back(query_of("brief", {{"type", "host"}}, 1));
  all.push_back(query_of("brief", {{"risk_factor", "high"}, {"plugin_type", "remote"}}, 2));
  all.push_back(query_of("brief", {{"cvss_base_score", "<5"}, {"plugin_family", "web"}}, 1));
  all.push_back(query_of("brief", {{"plugin_output", "finding 1"}}, 1));  // not indexed: whole export
  all.push_back(query_of("brief", {}, 1, 40, {"host", "port", "plugin_output", "cve"}));
  all.push_back(query_of("brief", {{"severity", "=0"}}, 3, 5, {"plugin_name", "solution"}));
  return all;
}

void expect_same_pages(const std::filesystem::path& file) {
  for (const ResultsQuery& query : queries()) {
    const std::string whole = output(file, query, ResultsPath::whole_export);
    EXPECT_EQ(output(file, query, ResultsPath::indexed), whole) << file << " page " << query.page;
  }
}

class ResultsIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = testing::spec_with({HostAuth::success, HostAuth::failure, HostAuth::insufficient_privilege,
                                    HostAuth::scanner_local, HostAuth::not_attempted});
    for (auto& host : spec.hosts) host.findings = 120;
    spec.hosts[0].evidence.local_findings = 4;
    spec.hosts[1].name = "host \"one\" & <two>\tthree";
    spec.scan_name = "weekly & more";
    file_ = testing::write_generated(dir_.path() / "scan_native.nessus", spec);
  }
  std::string page(ResultsPath path) { return output(file_, query_of("brief", {{"severity", ">=3"}}, 2), path); }
  sw::testing::TempDir dir_;
  std::filesystem::path file_;
};

TEST_F(ResultsIndexTest, PagesThroughTheIndexAreThoseOfTheWholeExport) {
  EXPECT_EQ(index_path(file_), dir_.path() / "scan_native.idx");
  expect_same_pages(file_);
  const auto index = ResultsIndex::load(file_);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->host_count(), 5u);
  EXPECT_EQ(index->host(1), "host \"one\" & <two> three");  // a tab in an attribute is a space
  EXPECT_EQ(index->report_name(), "weekly & more");
  EXPECT_LT(index->finding_count(), 40u);  // distinct plugins and severities, not items
}

TEST_F(ResultsIndexTest, ValidationWritesTheIndexInTheSamePass) {
  const ValidationResult validation = validate_and_index(file_, core::ScanType::authenticated);
  EXPECT_EQ(validation.read_with, ExportReader::byte_scan);
  EXPECT_EQ(validation.to_json(), validate_export(file_, core::ScanType::authenticated).to_json());
  const auto index = ResultsIndex::load(file_);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->item_count(), validation.total_plugins);
  expect_same_pages(file_);
}

TEST_F(ResultsIndexTest, AnIndexOfAnotherExportIsRebuilt) {
  ASSERT_TRUE(build_index(file_));
  const std::string before = page(ResultsPath::whole_export);
  auto spec = testing::spec_with({HostAuth::success});
  spec.hosts[0].findings = 300;
  testing::write_generated(file_, spec);  // the export replaced; its old index stays
  EXPECT_FALSE(ResultsIndex::load(file_).has_value());
  EXPECT_NE(page(ResultsPath::indexed), before);
  EXPECT_EQ(page(ResultsPath::indexed), page(ResultsPath::whole_export));
  EXPECT_TRUE(ResultsIndex::load(file_).has_value());
}

TEST_F(ResultsIndexTest, ADamagedIndexIsNeverTrusted) {
  ASSERT_TRUE(build_index(file_));
  const auto size = std::filesystem::file_size(index_path(file_));
  for (std::uintmax_t offset : {std::uintmax_t{70}, size / 2, size - 40, size - 1}) {
    ASSERT_TRUE(build_index(file_));
    std::fstream index(index_path(file_), std::ios::binary | std::ios::in | std::ios::out);
    index.seekp(static_cast<std::streamoff>(offset));
    index.put('\x7f');
    index.close();
    EXPECT_FALSE(ResultsIndex::load(file_).has_value()) << offset;
    EXPECT_EQ(page(ResultsPath::indexed), page(ResultsPath::whole_export));
  }
  std::filesystem::resize_file(index_path(file_), size / 3);
  EXPECT_FALSE(ResultsIndex::load(file_).has_value());
  EXPECT_EQ(page(ResultsPath::indexed), page(ResultsPath::whole_export));
}

// The index is committed without fsync (store::Durability::checked_by_readers): after a
// power loss it may be empty, cut at any page, or hold pages of zeros where its data never
// reached the disk. Each of these is refused and rebuilt, never read.
TEST_F(ResultsIndexTest, WhatACrashCanLeaveOfAnUnsyncedIndexIsRebuilt) {
  ASSERT_TRUE(build_index(file_));
  const std::string whole = page(ResultsPath::whole_export);
  const auto size = std::filesystem::file_size(index_path(file_));
  constexpr std::uintmax_t kPage = 4096;
  ASSERT_GT(size, 2 * kPage);
  std::vector<std::uintmax_t> cuts{0};
  for (std::uintmax_t cut = kPage; cut < size; cut += kPage) cuts.push_back(cut);
  for (const std::uintmax_t cut : cuts) {
    ASSERT_TRUE(build_index(file_));
    std::filesystem::resize_file(index_path(file_), cut);
    EXPECT_FALSE(ResultsIndex::load(file_).has_value()) << "cut at " << cut;
    EXPECT_EQ(page(ResultsPath::indexed), whole) << "cut at " << cut;
  }
  for (std::uintmax_t zeroed = 0; zeroed < size; zeroed += kPage) {
    ASSERT_TRUE(build_index(file_));
    std::fstream index(index_path(file_), std::ios::binary | std::ios::in | std::ios::out);
    index.seekp(static_cast<std::streamoff>(zeroed));
    const std::string zeros(static_cast<std::size_t>(std::min(kPage, size - zeroed)), '\0');
    index.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    index.close();
    EXPECT_FALSE(ResultsIndex::load(file_).has_value()) << "zeros at " << zeroed;
    EXPECT_EQ(page(ResultsPath::indexed), whole) << "zeros at " << zeroed;
  }
}

TEST_F(ResultsIndexTest, AForeignFileIsLeftAloneAndAnExportWithoutIndexStillWorks) {
  testing::write_text(index_path(file_), "my notes");
  EXPECT_EQ(page(ResultsPath::indexed), page(ResultsPath::whole_export));
  std::ifstream notes(index_path(file_));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(notes), {}), "my notes");
  std::filesystem::remove(index_path(file_));
  EXPECT_EQ(page(ResultsPath::indexed), page(ResultsPath::whole_export));  // built on the way
  EXPECT_TRUE(ResultsIndex::load(file_).has_value());
}

TEST_F(ResultsIndexTest, ExportsOutsideTheScannerSubsetAndBadFilesUseTheWholeExport) {
  const std::string text = exportgen::write_export(testing::spec_with({HostAuth::success}));
  const auto with_pi =
      testing::write_text(dir_.path() / "pi.nessus", "<?xml version=\"1.0\"?><?pi x?>" + text.substr(22));
  for (const auto& file : {with_pi, testing::write_text(dir_.path() / "bad.nessus", text.substr(0, text.size() / 2)),
                           dir_.path() / "missing.nessus"}) {
    for (const ResultsQuery& query : queries()) {
      EXPECT_EQ(output(file, query, ResultsPath::indexed), output(file, query, ResultsPath::whole_export)) << file;
    }
    EXPECT_FALSE(std::filesystem::exists(index_path(file))) << file;
  }
}

// <plugin_name> differs from pluginName, a <port> child: records of every child (profile
// full) take the children's values, the others the attributes'.
TEST_F(ResultsIndexTest, ChildrenNamedLikeAttributesAsInTheWholeExport) {
  std::string items;
  for (int i = 0; i < 30; ++i) {
    items += "<ReportItem port=\"22\" svc_name=\"ssh\" protocol=\"tcp\" severity=\"" + std::to_string(i % 5) +
             "\" pluginID=\"" + std::to_string(i % 7) +
             "\" pluginName=\"Attribute name\" pluginFamily=\"F\">"
             "<plugin_name>Child name " +
             std::to_string(i % 3) + "</plugin_name>" + (i % 4 == 0 ? "<port>8080</port><severity>4</severity>" : "") +
             "<cve>CVE-2024-" + std::to_string(i) + "</cve></ReportItem>\n";
  }
  const auto file = testing::write_text(
      dir_.path() / "children.nessus",
      "<?xml version=\"1.0\"?><NessusClientData_v2><Report name=\"r\"><ReportHost name=\"h\"><HostProperties>"
      "</HostProperties>" +
          items + "</ReportHost></Report></NessusClientData_v2>\n");
  for (const std::string profile : {"full", "brief"}) {
    for (const Filter& filter : std::vector<Filter>{{"plugin_name", "child name 1"},
                                                    {"plugin_name", "attribute"},
                                                    {"port", "8080"},
                                                    {"port", "22"},
                                                    {"severity", "4"}}) {
      const ResultsQuery query = query_of(profile, {filter}, 1, 10);
      EXPECT_EQ(output(file, query, ResultsPath::indexed), output(file, query, ResultsPath::whole_export))
          << profile << " " << filter.first << "=" << filter.second;
    }
  }
  EXPECT_TRUE(ResultsIndex::load(file).has_value());
}

TEST(ResultsIndexCorpus, EveryCorpusFileGivesTheSamePages) {
  const char* source = std::getenv("SW_SOURCE_DIR");
  const auto dir = source ? std::filesystem::path(source) / ".." / "shared" / "corpus" : std::filesystem::path();
  if (dir.empty() || !std::filesystem::exists(dir / "expected.json")) {
    GTEST_SKIP() << "corpus not found at " << dir << " (SW_SOURCE_DIR/../shared/corpus)";
  }
  sw::testing::TempDir copies;  // the corpus folder is read-only: indexes go beside copies
  int indexed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".nessus") continue;
    const auto copy = copies.path() / entry.path().filename();
    std::filesystem::copy_file(entry.path(), copy);
    expect_same_pages(copy);
    if (ResultsIndex::load(copy)) ++indexed;
  }
  EXPECT_GE(indexed, 12);
}

}  // namespace
}  // namespace sw::results
