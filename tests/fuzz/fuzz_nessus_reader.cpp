// libFuzzer target for the .nessus reader and the export validator: each input is written
// to a per-process temporary file (read_nessus reads files only) and validated as an
// authenticated scan, then read once more collecting every ReportItem child.
// ReadError/core::Error are the expected rejections; a crash, hang or UB is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "results/nessus_reader.hpp"
#include "results/validator.hpp"

namespace {

const std::filesystem::path& input_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("sw-fuzz-nessus-" + std::to_string(::getpid()) + ".nessus");
  return path;
}

class CountingVisitor : public sw::results::NessusVisitor {
 public:
  void on_item(const sw::results::ReportItem& item) override {
    items_ += item.children.size() + static_cast<std::size_t>(item.severity_level() + 1);
  }
  std::size_t items_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(input_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const auto result = sw::results::validate_export(input_file(), sw::core::ScanType::authenticated);
  (void)result.to_json().dump();
  sw::results::ReadOptions options;
  options.all_item_children = true;
  options.text_limit = 4096;
  CountingVisitor visitor;
  try {
    sw::results::read_nessus(input_file(), visitor, options);
  } catch (const sw::core::Error&) {
  }
  return 0;
}
