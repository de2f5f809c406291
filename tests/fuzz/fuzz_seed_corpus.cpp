// Writes the seed corpora of the fuzz targets: small .nessus exports from exportgen (the
// generator behind nessus-sim's downloads; every host-authentication outcome) and a few
// hand-made ones with the XML edge cases of the byte scanner into <dir>/nessus, queue messages and task.json records
// into <dir>/task, and megabyte texts (deep nesting, runs of quotes, long key=value runs, secrets cut off) into
// <dir>/task and <dir>/text.
//
// Usage: fuzz_seed_corpus DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exportgen/export_writer.hpp"

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void write_exports(const std::filesystem::path& dir) {
  using sw::exportgen::HostAuth;
  const std::vector<std::vector<HostAuth>> host_sets = {
      {HostAuth::not_attempted},
      {HostAuth::success},
      {HostAuth::failure},
      {HostAuth::insufficient_privilege},
      {HostAuth::success, HostAuth::failure, HostAuth::insufficient_privilege},
      {},
  };
  int index = 0;
  for (const auto& auths : host_sets) {
    sw::exportgen::ExportSpec spec;
    spec.scan_name = "fuzz seed " + std::to_string(index);
    spec.targets = "10.0.0.0/30";
    spec.plugin_set_size = 20;
    spec.seed = static_cast<std::uint64_t>(index + 1);
    int host = 1;
    for (const auto auth : auths) {
      const std::string ip = "10.0.0." + std::to_string(host++);
      spec.hosts.push_back({ip, ip, auth, 3});
    }
    write_file(dir / ("export-" + std::to_string(index++) + ".nessus"), sw::exportgen::write_export(spec));
  }
}

// Small exports with what the byte scanner decodes or leaves to expat: references, CR LF,
// tabs in attributes, UTF-8, comments, a BOM, a plain DOCTYPE, CDATA, a processing
// instruction, an encoding other than UTF-8.
void write_edge_exports(const std::filesystem::path& dir) {
  const std::string item =
      "<ReportItem port=\"0\" severity=\" 3&#9;\" pluginID='19506' pluginName=\"a&amp;b\tc\r\nd\">"
      "<plugin_output>Credentialed checks : yes&#xd;\r\nScanner IP : 10.0.0.1\r&lt;caf\xC3\xA9&#x1F600;]]"
      "</plugin_output><!-- note --><plugin_type>local</plugin_type><cve/></ReportItem>";
  const std::string body =
      "<NessusClientData_v2><Report name=\"r\"><ReportHost name=\"10.0.0.1\"><HostProperties>"
      "<tag name=\"host-ip\">10.0.0.1</tag><tag name=\"local-checks-proto\">ssh</tag></HostProperties>" +
      item + "</ReportHost></Report></NessusClientData_v2>\n";
  const std::vector<std::string> heads = {
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
      "\xEF\xBB\xBF<!-- exported -->\n<!DOCTYPE NessusClientData_v2>\n",
      "<?xml version='1.0' encoding='ISO-8859-1'?>",
      "<?xml version=\"1.0\"?><?pi x?><![CDATA[",
  };
  int index = 0;
  for (const std::string& head : heads) write_file(dir / ("edge-" + std::to_string(index++) + ".nessus"), head + body);
}

void write_tasks(const std::filesystem::path& dir) {
  const nlohmann::json credentials = {{"type", "ssh"},
                                      {"username", "scanuser"},
                                      {"password", "secret"},
                                      {"auth_method", "password"},
                                      {"elevate_privileges_with", "Nothing"}};
  const std::vector<nlohmann::json> messages = {
      {{"task_id", "t_1"},
       {"trace_id", "9f1c2c1e-0c1a-4d52-a1f3-3e5f0b7d9a10"},
       {"scan_type", "untrusted"},
       {"scanner_pool", "nessus"},
       {"scanner_instance_id", nullptr},
       {"payload", {{"targets", "10.0.0.1"}, {"name", "scan"}, {"description", ""}, {"schema_profile", "brief"}}}},
      {{"task_id", "t_2"},
       {"scan_type", "authenticated"},
       {"scanner_pool", "nessus_dmz"},
       {"scanner_instance_id", "scanner1"},
       {"payload", {{"targets", "10.0.0.0/30, host.example"}, {"credentials", credentials}}}},
      {{"task_id", "t_3"},
       {"scan_type", "authenticated_privileged"},
       {"payload", {{"targets", "10.0.0.2"}, {"credentials", credentials}, {"schema_profile", "full"}}}},
      {{"task_id", "../escape"}, {"payload", {{"targets", "10.0.0.3"}}}},
      {{"task_id", 7}, {"payload", "not an object"}},
      {{"task_id", "t_4"},
       {"trace_id", "t"},
       {"scan_type", "untrusted"},
       {"scanner_type", "nessus"},
       {"status", "completed"},
       {"payload", {{"targets", "10.0.0.4"}}},
       {"created_at", "2025-12-01T14:30:22.123456"},
       {"started_at", "2025-12-01T14:30:23Z"},
       {"completed_at", "2025-12-01T15:30:22+01:00"},
       {"nessus_scan_id", 42},
       {"error_message", nullptr},
       {"validation_stats", {{"file_size_bytes", 1000}, {"hosts_scanned", 1}}},
       {"validation_warnings", {"w"}},
       {"authentication_status", "success"}},
  };
  int index = 0;
  for (const auto& message : messages) {
    write_file(dir / ("task-" + std::to_string(index++) + ".json"), message.dump());
  }
  write_file(dir / "task-not-json.json", "{\"task_id\": \"t_5\", ");
}

// Inputs of a megabyte and more: what once overflowed the stack of a regex or a DOM.
void write_large_texts(const std::vector<std::filesystem::path>& dirs) {
  constexpr std::size_t kMegabyte = 1 << 20;
  std::vector<std::pair<std::string, std::string>> texts;
  texts.emplace_back("filler", std::string(kMegabyte, 'X'));
  texts.emplace_back("nested-arrays", std::string(kMegabyte / 2, '[') + std::string(kMegabyte / 2, ']'));
  texts.emplace_back("nested-in-task",
                     R"({"task_id":"deep","payload":{"targets":"h","x":)" + std::string(kMegabyte, '{'));
  std::string quotes = R"({"password":")";
  while (quotes.size() < kMegabyte) quotes += R"(\")";
  texts.emplace_back("escaped-quotes", quotes);
  std::string nested_quotes;
  while (nested_quotes.size() < kMegabyte) nested_quotes += R"({"a":")";
  texts.emplace_back("nested-quotes", nested_quotes);
  std::string pairs;
  for (int i = 0; pairs.size() < kMegabyte; ++i) pairs += "token=t" + std::to_string(i) + "&user=u&";
  texts.emplace_back("key-value-run", pairs);
  texts.emplace_back("long-key", std::string(kMegabyte, 'k') + "_password=" + std::string(kMegabyte, 'p'));
  texts.emplace_back("cut-secret", R"({"task_id":"t_6","payload":{"targets":"h","credentials":{"password":"hunt)");
  for (const auto& dir : dirs) {
    for (const auto& [name, text] : texts) write_file(dir / ("large-" + name + ".txt"), text);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seed_corpus DIR\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  std::filesystem::create_directories(root / "nessus");
  std::filesystem::create_directories(root / "task");
  std::filesystem::create_directories(root / "text");
  write_exports(root / "nessus");
  write_edge_exports(root / "nessus");
  write_tasks(root / "task");
  write_tasks(root / "text");
  write_large_texts({root / "task", root / "text"});
  return 0;
}
