// Streaming reader of .nessus (NessusClientData_v2) exports on expat: memory stays flat
// whatever the file size, a DOCTYPE with an internal subset or an external DTD and any
// entity declaration are refused (a plain <!DOCTYPE NessusClientData_v2> is accepted),
// and only the ReportItem children a consumer asks for are collected (each capped in
// length, the cut ones named in ReportItem::truncated_children). read_nessus_items reads
// only the items at given byte ranges (a results index's). byte_scanner.hpp has the
// faster reader of the same callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace sw::results {

// Why a file could not be read; the validator maps these to its error reasons.
enum class ReadFailure {
  file_not_found,
  unreadable,   // I/O error
  xml_invalid,  // not well-formed, a DOCTYPE with declarations, or not a v2 export
};

class ReadError : public core::Error {
 public:
  ReadError(ReadFailure failure, const std::string& message)
      : core::Error(core::ErrorKind::bad_input, message), failure_(failure) {}
  ReadFailure failure() const noexcept { return failure_; }

 private:
  ReadFailure failure_;
};

// 0-4 from a severity attribute (surrounding blanks ignored: " 3" is 3), -1 when blank,
// not a number or out of range.
int severity_level(std::string_view severity);

struct ReportItem {
  std::string_view host;  // ReportHost@name of the enclosing host
  std::string port;
  std::string svc_name;
  std::string protocol;
  std::string severity;  // as written (" 3", "", "7" occur); see severity_level()
  std::string plugin_id;
  std::string plugin_name;
  std::string plugin_family;
  // The requested children in document order (name, text); repeated ones (cve, xref)
  // appear several times. Text longer than ReadOptions::text_limit is cut there.
  std::vector<std::pair<std::string, std::string>> children;
  // Names of the collected children that were cut at ReadOptions::text_limit.
  std::vector<std::string> truncated_children;
  // The element's bytes in the file: from its '<' to the byte after its end tag.
  std::uint64_t offset = 0;
  std::uint64_t length = 0;

  // severity_level(severity); -1 when the attribute is absent.
  int severity_level() const { return results::severity_level(severity); }
  bool truncated(std::string_view child_name) const;
  // Text of the first child of that name, or nullptr.
  const std::string* child(std::string_view name) const;
};

// Callbacks of read_nessus, in document order. Defaults ignore everything.
class NessusVisitor {
 public:
  virtual ~NessusVisitor() = default;
  virtual void on_report(std::string_view /*report_name*/) {}
  virtual void on_host_start(std::string_view /*host_name*/) {}
  virtual void on_host_property(std::string_view /*name*/, std::string_view /*value*/) {}
  virtual void on_item(const ReportItem& /*item*/) {}
  virtual void on_host_end() {}
};

// The cap on each collected text (plugin_output reaches it in practice).
inline constexpr std::size_t default_text_limit = 256 * 1024;

struct ReadOptions {
  std::vector<std::string> item_children;  // ReportItem children to collect from every item
  bool all_item_children = false;          // collect every child of every item
  // Further children collected only from items of the plugin ids in `plugin_children_for`.
  std::vector<std::string> plugin_children;
  std::vector<std::string> plugin_children_for;
  bool host_properties = true;                  // report HostProperties tags
  std::size_t text_limit = default_text_limit;  // cap per collected text
};

// Reads the whole file, calling the visitor. Throws ReadError.
void read_nessus(const std::filesystem::path& file, NessusVisitor& visitor, const ReadOptions& options = {});

// A whole <ReportItem> element of a file (ReportItem::offset and length, as a results
// index keeps them) and the name of its host.
struct ItemLocation {
  std::string_view host;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Reads only the ReportItems at `items`, in that order, calling visitor.on_item for each
// as read_nessus would have (on_report, on_host_start and on_host_end are called for a
// document wrapped around them, and ReportItem::offset is within that document). The file must be UTF-8 and declare no
// entities, as the byte scanner checks before a results index is written. Throws ReadError.
void read_nessus_items(const std::filesystem::path& file, std::span<const ItemLocation> items, NessusVisitor& visitor,
                       const ReadOptions& options = {});

}  // namespace sw::results
