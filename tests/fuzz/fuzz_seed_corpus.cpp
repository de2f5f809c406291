// Writes the seed corpora of the fuzz targets: small .nessus exports from exportgen (the
// generator behind nessus-sim's downloads; every host-authentication outcome) into
// <dir>/nessus, and queue messages and task.json records into <dir>/task.
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

void write_tasks(const std::filesystem::path& dir) {
  const nlohmann::json credentials = {{"type", "ssh"},         {"username", "scanuser"},
                                      {"password", "secret"},  {"auth_method", "password"},
                                      {"elevate_privileges_with", "Nothing"}};
  const std::vector<nlohmann::json> messages = {
      {{"task_id", "t_1"}, {"trace_id", "9f1c2c1e-0c1a-4d52-a1f3-3e5f0b7d9a10"}, {"scan_type", "untrusted"},
       {"scanner_pool", "nessus"}, {"scanner_instance_id", nullptr},
       {"payload", {{"targets", "10.0.0.1"}, {"name", "scan"}, {"description", ""}, {"schema_profile", "brief"}}}},
      {{"task_id", "t_2"}, {"scan_type", "authenticated"}, {"scanner_pool", "nessus_dmz"},
       {"scanner_instance_id", "scanner1"},
       {"payload", {{"targets", "10.0.0.0/30, host.example"}, {"credentials", credentials}}}},
      {{"task_id", "t_3"}, {"scan_type", "authenticated_privileged"},
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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seed_corpus DIR\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  std::filesystem::create_directories(root / "nessus");
  std::filesystem::create_directories(root / "task");
  write_exports(root / "nessus");
  write_tasks(root / "task");
  return 0;
}
