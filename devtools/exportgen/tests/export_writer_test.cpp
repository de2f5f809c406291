// Tests of the export generator: well-formed XML, the credential plugins of each outcome,
// the quirk items, deterministic findings and bounded streaming pieces.
#include "exportgen/export_writer.hpp"

#include <expat.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sw::exportgen {
namespace {

struct Census {
  int hosts = 0;
  int items = 0;
  std::map<std::string, int> plugins;
  std::map<std::string, int> severities;
  int uncertain_services = 0;
};

void on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto* census = static_cast<Census*>(data);
  std::string element = name;
  if (element == "ReportHost") ++census->hosts;
  if (element != "ReportItem") return;
  ++census->items;
  for (int i = 0; attributes[i] != nullptr; i += 2) {
    std::string key = attributes[i];
    std::string value = attributes[i + 1];
    if (key == "pluginID") ++census->plugins[value];
    if (key == "severity") ++census->severities[value];
    if (key == "svc_name" && value == "http?") ++census->uncertain_services;
  }
}

Census parse(const std::string& document) {
  Census census;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &census);
  XML_SetStartElementHandler(parser, on_start);
  const auto status = XML_Parse(parser, document.data(), static_cast<int>(document.size()), 1);
  EXPECT_EQ(status, XML_STATUS_OK) << XML_ErrorString(XML_GetErrorCode(parser)) << " line "
                                   << XML_GetCurrentLineNumber(parser);
  XML_ParserFree(parser);
  return census;
}

ExportSpec four_hosts() {
  ExportSpec spec;
  spec.scan_name = "scan <&> \"quoted\"";
  spec.targets = "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4";
  spec.hosts = {{"10.0.0.1", "10.0.0.1", HostAuth::not_attempted, 5},
                {"10.0.0.2", "10.0.0.2", HostAuth::success, 20},
                {"host-3.example", "10.0.0.3", HostAuth::failure, 2},
                {"10.0.0.4", "10.0.0.4", HostAuth::insufficient_privilege, 0}};
  spec.plugin_set_size = 100;
  return spec;
}

TEST(ExportWriter, WritesWellFormedDocumentWithCredentialPluginsPerOutcome) {
  const std::string document = write_export(four_hosts());
  const Census census = parse(document);
  EXPECT_EQ(census.hosts, 4);
  EXPECT_EQ(census.plugins.at("19506"), 4);
  EXPECT_EQ(census.plugins.at("117886"), 1);
  EXPECT_EQ(census.plugins.at("141118"), 2);
  EXPECT_EQ(census.plugins.at("117887"), 1);
  EXPECT_EQ(census.plugins.at("104410"), 1);
  EXPECT_EQ(census.plugins.at("21745"), 1);
  EXPECT_EQ(census.plugins.at("110385"), 1);
  EXPECT_EQ(census.items, 2 + 3 + 3 + 3 + 5 + 20 + 2);
  EXPECT_EQ(census.uncertain_services, 3);
  EXPECT_NE(document.find("Credentialed checks : yes, as &apos;svc-nessus&apos; via ssh\n"), std::string::npos);
  EXPECT_NE(document.find("Credentialed checks : no\n"), std::string::npos);
  EXPECT_NE(document.find("<name>hostCredsSuccessCount</name><value>2</value>"), std::string::npos);
  EXPECT_NE(document.find("<name>hostCredsFailedCount</name><value>1</value>"), std::string::npos);
  EXPECT_NE(document.find("<name>hostCredsWithoutCount</name><value>1</value>"), std::string::npos);
  EXPECT_NE(document.find("scan &lt;&amp;&gt; &quot;quoted&quot;"), std::string::npos);
  EXPECT_NE(document.find("xmlns:cm=\"http://www.nessus.org/cm\""), std::string::npos);
  EXPECT_NE(document.find("severity=\"4\" pluginID=\"150280\""), std::string::npos);
  EXPECT_NE(document.find("<risk_factor>High</risk_factor>"), std::string::npos);
}

TEST(ExportWriter, SeverityCountsFollowFindingSeverity) {
  const ExportSpec spec = four_hosts();
  const Census census = parse(write_export(spec));
  std::map<std::string, int> expected{{"0", 2 + 3 + 3 + 3}};
  for (std::size_t h = 0; h < spec.hosts.size(); ++h) {
    for (int i = 0; i < spec.hosts[h].findings; ++i) {
      ++expected[std::to_string(finding_severity(spec.seed, h, i))];
    }
  }
  EXPECT_EQ(census.severities, expected);
}

TEST(ExportWriter, IsDeterministicForASeed) {
  ExportSpec spec = four_hosts();
  EXPECT_EQ(write_export(spec), write_export(spec));
  ExportSpec other = spec;
  other.seed = 2;
  EXPECT_NE(write_export(spec), write_export(other));
}

TEST(ExportWriter, StreamsInBoundedPieces) {
  ExportSpec spec;
  spec.plugin_set_size = 200000;
  spec.hosts.push_back({"10.0.0.9", "10.0.0.9", HostAuth::success, 5000});
  ExportWriter writer(spec);
  std::string piece;
  std::string document;
  std::size_t largest = 0;
  while (writer.next(piece)) {
    largest = std::max(largest, piece.size());
    document += piece;
    piece.clear();
  }
  EXPECT_LT(largest, 128u * 1024u);
  EXPECT_GT(document.size(), 1u << 20);
  const Census census = parse(document);
  EXPECT_EQ(census.items, 5000 + 3);
}

TEST(ExportWriter, WritesAnEmptyReportWithoutHosts) {
  ExportSpec spec;
  spec.plugin_set_size = 0;
  const Census census = parse(write_export(spec));
  EXPECT_EQ(census.hosts, 0);
}

}  // namespace
}  // namespace sw::exportgen
