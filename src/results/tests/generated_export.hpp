// Test helpers: write an exportgen document or literal XML text to a file.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "exportgen/export_writer.hpp"

namespace sw::results::testing {

inline std::filesystem::path write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

inline std::filesystem::path write_generated(const std::filesystem::path& file, const exportgen::ExportSpec& spec) {
  return write_text(file, exportgen::write_export(spec));
}

inline exportgen::ExportSpec spec_with(std::initializer_list<exportgen::HostAuth> outcomes) {
  exportgen::ExportSpec spec;
  spec.plugin_set_size = 50;
  int n = 0;
  for (exportgen::HostAuth auth : outcomes) {
    const std::string ip = "10.0.0." + std::to_string(++n);
    spec.hosts.push_back({ip, ip, auth, 6});
  }
  return spec;
}

}  // namespace sw::results::testing
