// Tests of the streaming reader: callbacks, requested children, text caps and their
// marks, severity levels, a plain DOCTYPE, and refusal of malformed files, foreign roots,
// DTDs and entity declarations.
#include "results/nessus_reader.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "results/tests/generated_export.hpp"
#include "support/temp_dir.hpp"

namespace sw::results {
namespace {

using testing::write_text;

class Recorder final : public NessusVisitor {
 public:
  std::string report;
  std::vector<std::string> events;
  std::map<std::string, std::string> properties;
  std::vector<ReportItem> items;
  void on_report(std::string_view name) override { report = name; }
  void on_host_start(std::string_view name) override { events.push_back("start " + std::string(name)); }
  void on_host_property(std::string_view name, std::string_view value) override {
    properties[std::string(name)] = value;
  }
  void on_item(const ReportItem& item) override {
    items.push_back(item);
    events.push_back("item " + item.plugin_id);
  }
  void on_host_end() override { events.push_back("end"); }
};

ReadFailure failure_of(const std::filesystem::path& file, std::string& message) {
  Recorder recorder;
  try {
    read_nessus(file, recorder);
  } catch (const ReadError& e) {
    message = e.what();
    return e.failure();
  }
  ADD_FAILURE() << "no error for " << file;
  return ReadFailure::unreadable;
}

const char* const small_export = R"(<?xml version="1.0"?>
<NessusClientData_v2><Policy><policyName>P</policyName></Policy>
<Report name="weekly &amp; more" xmlns:cm="http://www.nessus.org/cm">
<ReportHost name="web.example"><HostProperties><tag name="host-ip">10.1.1.1</tag>
<tag name="HOST_START">Fri Nov  7 13:25:52 2025</tag></HostProperties>
<ReportItem port="80" svc_name="http?" protocol="tcp" severity="3" pluginID="1" pluginName="A" pluginFamily="F">
<cve>CVE-1</cve><cve>CVE-2</cve><plugin_output>line1&#xd;
&lt;x&gt;</plugin_output><solution>fix</solution><attachment type="image/png">AAAA</attachment></ReportItem>
</ReportHost>
<ReportHost name="empty.example"><HostProperties></HostProperties></ReportHost>
</Report></NessusClientData_v2>
)";

TEST(NessusReader, ReportsHostsPropertiesItemsAndRequestedChildren) {
  sw::testing::TempDir dir;
  Recorder recorder;
  ReadOptions options;
  options.item_children = {"cve", "plugin_output"};
  read_nessus(write_text(dir.path() / "a.nessus", small_export), recorder, options);
  EXPECT_EQ(recorder.report, "weekly & more");
  EXPECT_EQ(recorder.events,
            (std::vector<std::string>{"start web.example", "item 1", "end", "start empty.example", "end"}));
  EXPECT_EQ(recorder.properties.at("host-ip"), "10.1.1.1");
  EXPECT_EQ(recorder.properties.at("HOST_START"), "Fri Nov  7 13:25:52 2025");
  ASSERT_EQ(recorder.items.size(), 1u);
  const ReportItem& item = recorder.items[0];
  EXPECT_EQ(item.svc_name, "http?");
  EXPECT_EQ(item.severity_level(), 3);
  ASSERT_EQ(item.children.size(), 3u);
  EXPECT_EQ(item.children[1].second, "CVE-2");
  EXPECT_EQ(*item.child("plugin_output"), "line1\r\n<x>");
  EXPECT_EQ(item.child("solution"), nullptr);
}

TEST(NessusReader, CapsCollectedTextAndMarksTheCut) {
  sw::testing::TempDir dir;
  Recorder recorder;
  ReadOptions options;
  options.item_children = {"plugin_output"};
  options.text_limit = 4;
  read_nessus(write_text(dir.path() / "a.nessus", small_export), recorder, options);
  EXPECT_EQ(*recorder.items.at(0).child("plugin_output"), "line");
  EXPECT_TRUE(recorder.items.at(0).truncated("plugin_output"));
  options.text_limit = default_text_limit;
  Recorder whole;
  read_nessus(write_text(dir.path() / "a.nessus", small_export), whole, options);
  EXPECT_FALSE(whole.items.at(0).truncated("plugin_output"));
}

TEST(NessusReader, CollectsChildrenOnlyForTheNamedPlugins) {
  sw::testing::TempDir dir;
  Recorder recorder;
  ReadOptions options;
  options.item_children = {"plugin_type"};
  options.plugin_children = {"plugin_output"};
  options.plugin_children_for = {"19506"};
  read_nessus(write_text(dir.path() / "a.nessus", small_export), recorder, options);
  EXPECT_EQ(recorder.items.at(0).child("plugin_output"), nullptr);
  options.plugin_children_for = {"1"};
  Recorder named;
  read_nessus(write_text(dir.path() / "a.nessus", small_export), named, options);
  ASSERT_NE(named.items.at(0).child("plugin_output"), nullptr);
  EXPECT_EQ(named.items.at(0).child("solution"), nullptr);
}

TEST(NessusReader, SeverityLevelReadsPaddedNumbersOnly) {
  ReportItem item;
  for (const auto& [text, level] : std::vector<std::pair<std::string, int>>{{"3", 3},
                                                                            {" 3", 3},
                                                                            {"4 ", 4},
                                                                            {"0", 0},
                                                                            {"", -1},
                                                                            {"  ", -1},
                                                                            {"7", -1},
                                                                            {"-1", -1},
                                                                            {"33", -1},
                                                                            {"x", -1}}) {
    item.severity = text;
    EXPECT_EQ(item.severity_level(), level) << "'" << text << "'";
  }
}

TEST(NessusReader, AcceptsAPlainDoctype) {
  sw::testing::TempDir dir;
  Recorder recorder;
  read_nessus(write_text(dir.path() / "d.nessus", R"(<?xml version="1.0"?>
<!DOCTYPE NessusClientData_v2>
<NessusClientData_v2><Report name="r"><ReportHost name="h"><HostProperties></HostProperties></ReportHost></Report></NessusClientData_v2>)"),
              recorder);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"start h", "end"}));
}

TEST(NessusReader, RefusesADoctypeWithAnExternalDtd) {
  sw::testing::TempDir dir;
  std::string message;
  const auto file = write_text(dir.path() / "dtd.nessus", R"(<?xml version="1.0"?>
<!DOCTYPE NessusClientData_v2 SYSTEM "http://example.com/evil.dtd">
<NessusClientData_v2><Report name="r"/></NessusClientData_v2>)");
  EXPECT_EQ(failure_of(file, message), ReadFailure::xml_invalid);
  EXPECT_NE(message.find("entity declarations are not allowed"), std::string::npos) << message;
}

TEST(NessusReader, RejectsMalformedXmlNamingLineAndColumn) {
  sw::testing::TempDir dir;
  std::string message;
  const auto file = write_text(dir.path() / "bad.nessus",
                               "<NessusClientData_v2>\n<Report>\n  <<ReportHost/></Report></NessusClientData_v2>");
  EXPECT_EQ(failure_of(file, message), ReadFailure::xml_invalid);
  EXPECT_NE(message.find("line 3, column 3"), std::string::npos) << message;
}

TEST(NessusReader, RejectsOtherRoots) {
  sw::testing::TempDir dir;
  std::string message;
  const auto file = write_text(dir.path() / "v1.nessus", "<NessusClientData><Report/></NessusClientData>");
  EXPECT_EQ(failure_of(file, message), ReadFailure::xml_invalid);
  EXPECT_NE(message.find("not a NessusClientData_v2 export (root <NessusClientData>)"), std::string::npos);
}

TEST(NessusReader, RejectsBillionLaughs) {
  sw::testing::TempDir dir;
  std::string message;
  const auto file = write_text(dir.path() / "lol.nessus", R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<NessusClientData_v2><Report name="&lol2;"/></NessusClientData_v2>)");
  EXPECT_EQ(failure_of(file, message), ReadFailure::xml_invalid);
  EXPECT_NE(message.find("entity declarations are not allowed"), std::string::npos) << message;
}

TEST(NessusReader, RejectsExternalEntities) {
  sw::testing::TempDir dir;
  std::string message;
  const auto file = write_text(dir.path() / "xxe.nessus", R"(<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<NessusClientData_v2><Report name="&xxe;"/></NessusClientData_v2>)");
  EXPECT_EQ(failure_of(file, message), ReadFailure::xml_invalid);
  EXPECT_NE(message.find("entity declarations are not allowed"), std::string::npos) << message;
}

TEST(NessusReader, ReportsMissingFiles) {
  sw::testing::TempDir dir;
  std::string message;
  EXPECT_EQ(failure_of(dir.path() / "absent.nessus", message), ReadFailure::file_not_found);
}

}  // namespace
}  // namespace sw::results
