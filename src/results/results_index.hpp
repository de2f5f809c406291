// The results index: a file beside an export (scan_native.idx beside scan_native.nessus)
// with each ReportItem's byte range and the values results filters test, so that a page
// of results reads the index and the page's own items instead of the whole export.
//
// Layout (native byte order; docs/results.md#the-index): a 64-byte header (magic, format
// version, the export's size, mtime, inode and a checksum of its first and last 64 KiB),
// one 24-byte record per item (offset, length, host, place, finding), the tables those
// numbers point into (the Report name; host names; distinct port/svc_name/protocol;
// distinct plugin attributes, severity and indexed children), and a trailer with the
// counts and a checksum of everything between header and trailer. An index whose header,
// export identity, trailer or checksum does not match is not used.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/scan_type.hpp"
#include "results/nessus_reader.hpp"
#include "results/validator.hpp"

namespace sw::results {

inline constexpr std::uint32_t index_format_version = 2;  // 2: four-lane checksum

// x.nessus -> x.idx
std::filesystem::path index_path(const std::filesystem::path& export_file);

// The ReportItem children whose values the index keeps (besides the attributes): the
// fields a filter may name for a page to be served from the index, with the attributes.
const std::vector<std::string>& indexed_children();
bool is_indexed_field(std::string_view field);

// Builds an index while the export is read: it is a visitor; commit() replaces the index
// file (store::AtomicFileWriter) once the reader made every callback. Items stream to the
// temporary file; memory holds only the distinct hosts, places and findings.
class IndexWriter final : public NessusVisitor {
 public:
  // Takes the export's identity and creates the temporary file; throws core::Error.
  explicit IndexWriter(const std::filesystem::path& export_file);
  ~IndexWriter() override;
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  // What a reader must collect for the index.
  static ReadOptions read_options();

  void on_report(std::string_view name) override;
  void on_host_start(std::string_view name) override;
  void on_item(const ReportItem& item) override;
  // Throws core::Error when the index cannot be written.
  void commit();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// validate_export with the byte scanner that also writes the export's index in the same
// pass. No index is written when the byte scanner falls back to expat or the index
// cannot be written; results then build it, or read the export, when asked.
ValidationResult validate_and_index(const std::filesystem::path& file, core::ScanType scan_type,
                                    const AuthPolicy& policy = {});

// Writes the index of `file` in a pass of its own; false when the byte scanner cannot
// read the file or the index cannot be written.
bool build_index(const std::filesystem::path& file);

// One item's record.
struct IndexedItem {
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  std::uint32_t host = 0;     // into hosts
  std::uint32_t place = 0;    // into places
  std::uint32_t finding = 0;  // into findings
};

// A loaded and checked index. Table entries are decoded when asked for.
class ResultsIndex {
 public:
  // The index of `export_file` when it exists, is whole and belongs to the export as it
  // is now; nullopt otherwise.
  static std::optional<ResultsIndex> load(const std::filesystem::path& export_file);
  // Whether `export_file` has a file at index_path() that is not an index (left alone).
  static bool foreign_file_in_the_way(const std::filesystem::path& export_file);

  // The last Report's name; nullopt when the export has no Report.
  const std::optional<std::string>& report_name() const { return report_name_; }
  std::size_t host_count() const { return host_at_.size(); }
  std::string_view host(std::size_t i) const;
  std::size_t place_count() const { return place_at_.size(); }
  // Into `place`: port, svc_name and protocol (the other fields are left as they are).
  void place(std::size_t i, ReportItem& place) const;
  std::size_t finding_count() const { return finding_at_.size(); }
  // Into `finding`: the plugin attributes, severity and indexed children.
  void finding(std::size_t i, ReportItem& finding) const;
  std::string_view finding_severity(std::size_t i) const;

  std::uint64_t item_count() const { return item_count_; }
  // Record `i` (< item_count()); nullopt when its numbers do not fit the tables.
  std::optional<IndexedItem> item(std::uint64_t i) const;

 private:
  struct Mapping;
  std::shared_ptr<const Mapping> mapping_;  // the index file, mapped read-only
  std::string_view bytes_;                  // its bytes
  std::uint64_t item_count_ = 0;
  std::uint64_t export_size_ = 0;
  std::optional<std::string> report_name_;
  std::vector<std::size_t> host_at_, place_at_, finding_at_;  // where each entry starts in bytes_
};

}  // namespace sw::results
