// Differential libFuzzer target: the byte scanner against expat on the same input. When
// scan_nessus reads an input, read_nessus must read it too and make the same callbacks
// (every child collected, a small text cap); validate_export must give the same JSON
// with either reader. Any difference aborts.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "results/byte_scanner.hpp"
#include "results/nessus_reader.hpp"
#include "results/validator.hpp"

namespace {

const std::filesystem::path& input_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("sw-fuzz-scan-" + std::to_string(::getpid()) + ".nessus");
  return path;
}

// Every callback as text.
class Transcript final : public sw::results::NessusVisitor {
 public:
  std::string text;
  void on_report(std::string_view name) override { line("report", name); }
  void on_host_start(std::string_view name) override { line("host", name); }
  void on_host_property(std::string_view name, std::string_view value) override {
    line("tag", name);
    line("=", value);
  }
  void on_item(const sw::results::ReportItem& item) override {
    for (const std::string* field : {&item.port, &item.svc_name, &item.protocol, &item.severity, &item.plugin_id,
                                     &item.plugin_name, &item.plugin_family}) {
      line("attribute", *field);
    }
    line("item", std::string(item.host) + " " + std::to_string(item.offset) + "+" + std::to_string(item.length));
    for (const auto& [name, value] : item.children) line(name, value);
    for (const auto& name : item.truncated_children) line("cut", name);
  }
  void on_host_end() override { line("end", ""); }

 private:
  void line(std::string_view kind, std::string_view value) {
    text +=
        std::to_string(kind.size()) + ":" + std::string(kind) + std::to_string(value.size()) + ":" + std::string(value);
  }
};

[[noreturn]] void differ(const char* what) {
  std::fprintf(stderr, "byte scanner and expat differ: %s\n", what);
  std::abort();
}

sw::results::ValidateOptions reading_with(sw::results::ExportReader reader) {
  sw::results::ValidateOptions options;
  options.reader = reader;
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(input_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  sw::results::ReadOptions options;
  options.all_item_children = true;
  options.text_limit = 64;
  Transcript fast;
  const bool scanned = sw::results::scan_nessus(input_file(), fast, options);
  Transcript reference;
  bool expat_read = true;
  try {
    sw::results::read_nessus(input_file(), reference, options);
  } catch (const sw::core::Error&) {
    expat_read = false;
  }
  if (scanned && !expat_read) differ("the byte scanner accepted what expat refuses");
  if (scanned && fast.text != reference.text) differ("callbacks");
  using sw::results::ExportReader;
  const auto by_scan = sw::results::validate_export(input_file(), sw::core::ScanType::authenticated, {},
                                                    reading_with(ExportReader::byte_scan));
  const auto by_expat = sw::results::validate_export(input_file(), sw::core::ScanType::authenticated, {},
                                                     reading_with(ExportReader::expat));
  if (by_scan.to_json().dump() != by_expat.to_json().dump()) differ("validate_export");
  return 0;
}
