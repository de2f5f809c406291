// Differential tests of the byte scanner against expat: on generated exports, the real
// corpus (when ../shared/corpus is there) and hand-made edge cases, scan_nessus either
// makes exactly read_nessus's callbacks or declines, and validate_export gives the same
// JSON whichever reader it uses.
#include "results/byte_scanner.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "results/tests/generated_export.hpp"
#include "results/validator.hpp"
#include "support/temp_dir.hpp"

namespace sw::results {
namespace {

using exportgen::HostAuth;
using testing::write_text;

// Every callback with its arguments, item offsets included.
class Transcript final : public NessusVisitor {
 public:
  std::vector<std::string> lines;
  void on_report(std::string_view name) override { lines.push_back("report " + std::string(name)); }
  void on_host_start(std::string_view name) override { lines.push_back("host " + std::string(name)); }
  void on_host_property(std::string_view name, std::string_view value) override {
    lines.push_back("tag " + std::string(name) + "=" + std::string(value));
  }
  void on_item(const ReportItem& item) override {
    std::string line = "item " + std::string(item.host) + "|" + item.port + "|" + item.svc_name + "|" + item.protocol +
                       "|" + item.severity + "|" + item.plugin_id + "|" + item.plugin_name + "|" + item.plugin_family +
                       "|" + std::to_string(item.offset) + "+" + std::to_string(item.length);
    for (const auto& [name, text] : item.children) line += "\n  " + name + "=" + text;
    for (const auto& name : item.truncated_children) line += "\n  cut " + name;
    lines.push_back(std::move(line));
  }
  void on_host_end() override { lines.push_back("end"); }
};

ReadOptions every_child() {
  ReadOptions options;
  options.all_item_children = true;
  options.text_limit = 1000;
  return options;
}

ValidateOptions reading_with(ExportReader reader) {
  ValidateOptions options;
  options.reader = reader;
  return options;
}

// Compares both readers on `file`; returns whether the byte scanner read it.
bool same_as_expat(const std::filesystem::path& file) {
  Transcript fast;
  const bool scanned = scan_nessus(file, fast, every_child());
  Transcript reference;
  std::string error;
  try {
    read_nessus(file, reference, every_child());
  } catch (const ReadError& e) {
    error = e.what();
  }
  if (scanned) {
    EXPECT_EQ(error, "") << "the byte scanner accepted what expat refuses: " << file;
    EXPECT_EQ(fast.lines, reference.lines) << file;
  }
  for (auto type : {core::ScanType::authenticated, core::ScanType::untrusted}) {
    const ValidationResult by_scan = validate_export(file, type, {}, reading_with(ExportReader::byte_scan));
    const ValidationResult by_expat = validate_export(file, type, {}, reading_with(ExportReader::expat));
    EXPECT_EQ(by_scan.to_json().dump(), by_expat.to_json().dump()) << file;
    EXPECT_EQ(by_scan.read_with == ExportReader::byte_scan, scanned && error.empty()) << file;
  }
  return scanned;
}

class ByteScannerTest : public ::testing::Test {
 protected:
  std::filesystem::path file(const std::string& text) { return write_text(dir_.path() / "x.nessus", text); }
  sw::testing::TempDir dir_;
};

// The head and tail of a small valid export around `body` (the items of one host).
std::string document(const std::string& body, const std::string& head = "<?xml version=\"1.0\" ?>\n") {
  return head +
         "<NessusClientData_v2><Policy><policyName>P</policyName></Policy>\n"
         "<Report name=\"r\"><ReportHost name=\"10.0.0.1\"><HostProperties><tag name=\"host-ip\">10.0.0.1</tag>"
         "<tag name=\"Credentialed_Scan\">true</tag></HostProperties>\n" +
         body + "</ReportHost></Report></NessusClientData_v2>\n" + std::string(300, ' ');
}

const std::string plain_item =
    "<ReportItem port=\"22\" svc_name=\"ssh\" protocol=\"tcp\" severity=\"3\" pluginID=\"5\" pluginName=\"n\" "
    "pluginFamily=\"f\"><plugin_type>local</plugin_type><cve>CVE-1</cve></ReportItem>\n";

TEST_F(ByteScannerTest, GeneratedExportsAreScannedAndAgree) {
  auto spec = testing::spec_with({HostAuth::success, HostAuth::failure, HostAuth::insufficient_privilege,
                                  HostAuth::scanner_local, HostAuth::not_attempted});
  spec.hosts[0].evidence.local_findings = 3;
  spec.hosts[1].evidence.scan_information = false;
  spec.scan_name = "name with <markup> & \"quotes\"";
  EXPECT_TRUE(same_as_expat(testing::write_generated(dir_.path() / "g.nessus", spec)));
}

TEST_F(ByteScannerTest, LargeExportAcrossManyWindows) {
  auto spec = testing::spec_with({HostAuth::success, HostAuth::failure});
  spec.plugin_set_size = 400000;  // a 3 MB line, longer than the scanner's window
  for (auto& host : spec.hosts) host.findings = 2000;
  EXPECT_TRUE(same_as_expat(testing::write_generated(dir_.path() / "big.nessus", spec)));
}

TEST_F(ByteScannerTest, WhatTheScannerDecodes) {
  const std::string cases[] = {
      plain_item,
      // references, CR LF and a lone CR in text; tabs, new lines and references in attributes
      "<ReportItem port=\"0\" severity=\" 3&#9;\" pluginID='19506' pluginName=\"a&amp;b\tc\r\nd\nx&#10;\">"
      "<plugin_output>Credentialed checks : yes&#xd;\r\nScanner IP : 1.2.3.4\r&lt;&gt;&quot;&apos;&#233;&#x1F600;"
      "</plugin_output></ReportItem>\n",
      // UTF-8 text and attribute, ']' that does not close a CDATA section, '>' in text
      "<ReportItem pluginID=\"1\" pluginName=\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\">"
      "<description>]] ] > \xC3\xA9\xE2\x82\xAC</description></ReportItem>\n",
      // empty elements, spaces inside tags
      "<ReportItem pluginID = \"2\" severity= '1' /><ReportItem\n pluginID=\"3\" ><cve/><cve >x</cve ></ReportItem >\n",
      // comments; a text longer than the window
      "<!-- a comment - with <markup> & \xC3\xA9 --><ReportItem pluginID=\"9\"><!----><cve>1<!-- x "
      "-->2</cve></ReportItem>\n",
      "<ReportItem pluginID=\"1\"><plugin_output>" + std::string(3 << 20, 'z') + "</plugin_output></ReportItem>",
      // a text longer than the cap
      "<ReportItem pluginID=\"4\"><plugin_output>" + std::string(5000, 'y') + "</plugin_output></ReportItem>\n",
  };
  for (const std::string& body : cases) EXPECT_TRUE(same_as_expat(file(document(body)))) << body;
  EXPECT_TRUE(
      same_as_expat(file(document(plain_item, "\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8' standalone='yes'?>"))));
  EXPECT_TRUE(same_as_expat(file(document(plain_item, "<!DOCTYPE NessusClientData_v2>\n"))));
  EXPECT_TRUE(same_as_expat(file(document(plain_item, ""))));
  EXPECT_TRUE(same_as_expat(
      file(document(plain_item, "<?xml version=\"1.0\"?><!-- c --><!DOCTYPE NessusClientData_v2><!---->"))));
  EXPECT_TRUE(same_as_expat(file(document(plain_item) + "<!-- after -->\n")));
}

TEST_F(ByteScannerTest, WhatIsLeftToExpat) {
  const std::string bodies[] = {
      "<ReportItem pluginID=\"1\"><plugin_output><![CDATA[<x>]]></plugin_output></ReportItem>",
      "<?pi x?>" + plain_item,
      "<ReportItem pluginID=\"1\"><plugin_output>&unknown;</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\"><plugin_output>a]]>b</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\"><plugin_output>\x01</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\"><plugin_output>\xC0\xAF \xED\xA0\x80</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\"><plugin_output>\xEF\xBF\xBE</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\"><plugin_output>&#xFFFE;</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\"><plugin_output>&#0;</plugin_output></ReportItem>",
      "<ReportItem pluginID=\"1\" pluginID=\"2\"></ReportItem>",
      "<ReportItem pluginID=\"1\"port=\"2\"></ReportItem>",
      "<ReportItem pluginID=\"<\"></ReportItem>",
      "<ReportItem pluginID=\"1\"></ReportItemX>",
      "<ReportItem pluginID=\"1\"><x\xC3\xA9>1</x\xC3\xA9></ReportItem>",
      "<ReportItem pluginID=\"" + std::string(2 << 20, 'z') + "\"></ReportItem>",
      "<ReportItem pluginID=\"1\">",
  };
  for (const std::string& body : bodies) EXPECT_FALSE(same_as_expat(file(document(body)))) << body.substr(0, 80);
  const std::string heads[] = {
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
      "<?xml encoding=\"UTF-8\"?>",
      "<?xml version=\"1.1\"?>",
      " <?xml version=\"1.0\"?>",
      "<!DOCTYPE NessusClientData_v2 [<!ENTITY x \"y\">]>",
      "<!DOCTYPE NessusClientData_v2 SYSTEM \"x.dtd\">",
      "<!-- a -- b -->",
      "\xFE\xFF",
  };
  for (const std::string& head : heads) EXPECT_FALSE(same_as_expat(file(document(plain_item, head)))) << head;
  const std::string documents[] = {
      "",
      "   ",
      "<NessusClientData><Report/></NessusClientData>" + std::string(300, ' '),
      document(plain_item) + "<extra/>",
      document(plain_item) + "text",
      document(plain_item).substr(0, 400),
  };
  for (const std::string& text : documents) EXPECT_FALSE(same_as_expat(file(text))) << text.substr(0, 80);
}

TEST(ByteScannerCorpus, EveryCorpusFileAgrees) {
  const char* source = std::getenv("SW_SOURCE_DIR");
  const auto dir = source ? std::filesystem::path(source) / ".." / "shared" / "corpus" : std::filesystem::path();
  if (dir.empty() || !std::filesystem::exists(dir / "expected.json")) {
    GTEST_SKIP() << "corpus not found at " << dir << " (SW_SOURCE_DIR/../shared/corpus)";
  }
  int files = 0;
  int scanned = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".nessus") continue;
    ++files;
    if (same_as_expat(entry.path())) ++scanned;
  }
  EXPECT_GT(files, 0);
  // The well-formed v2 files are in the scanner's subset; the malformed and v1 ones are not.
  EXPECT_EQ(scanned, files - 2);
}

}  // namespace
}  // namespace sw::results
