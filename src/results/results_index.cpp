// Writing, checking and loading results indexes (results_index.hpp).
#include "results/results_index.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "core/errors.hpp"
#include "results/byte_scanner.hpp"
#include "results/checksum.hpp"
#include "results/jsonl_results.hpp"
#include "store/files.hpp"

namespace sw::results {
namespace {

constexpr std::string_view header_magic{"SWRIDX\0\1", 8};
constexpr std::string_view trailer_magic{"SWRIEND\0", 8};
constexpr std::size_t header_bytes = 64;
constexpr std::size_t trailer_bytes = 32;
constexpr std::size_t item_bytes = 24;
constexpr std::size_t sample_bytes = 64 * 1024;
constexpr std::size_t pending_items = 4096;
constexpr std::size_t largest_index = std::size_t{1} << 32;

// What tells an export apart from another file or a later version of itself.
struct ExportIdentity {
  std::uint64_t size = 0;
  std::uint64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t sample = 0;  // checksum of the first and last 64 KiB
  bool operator==(const ExportIdentity&) const = default;
};

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

std::optional<ExportIdentity> identify(const std::filesystem::path& file) {
  FileDescriptor descriptor{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st {};
  if (descriptor.fd < 0 || ::fstat(descriptor.fd, &st) != 0) return std::nullopt;
  ExportIdentity identity{
      static_cast<std::uint64_t>(st.st_size),
      static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(st.st_mtim.tv_nsec),
      static_cast<std::uint64_t>(st.st_ino), 0};
  detail::Checksum checksum;
  std::string block(sample_bytes, '\0');
  const std::uint64_t tail = identity.size > sample_bytes ? identity.size - sample_bytes : 0;
  for (const std::uint64_t offset : {std::uint64_t{0}, tail}) {
    const ssize_t n = ::pread(descriptor.fd, block.data(), block.size(), static_cast<off_t>(offset));
    if (n < 0) return std::nullopt;
    checksum.update(std::string_view(block.data(), static_cast<std::size_t>(n)));
  }
  identity.sample = checksum.value();
  return identity;
}

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void put_text(std::string& out, std::string_view text) {
  put(out, static_cast<std::uint32_t>(text.size()));
  out += text;
}

std::string header_of(const ExportIdentity& identity) {
  std::string header(header_magic);
  put(header, index_format_version);
  put(header, static_cast<std::uint32_t>(item_bytes));
  for (const std::uint64_t value : {identity.size, identity.mtime_ns, identity.inode, identity.sample})
    put(header, value);
  header.resize(header_bytes, '\0');
  return header;
}

// Bounded reading of the index bytes; any overrun makes the index unusable.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes, std::size_t at = 0) : bytes_(bytes), at_(at) {}
  template <typename T>
  bool get(T& value) {
    if (bytes_.size() - at_ < sizeof value) return false;
    std::memcpy(&value, bytes_.data() + at_, sizeof value);
    at_ += sizeof value;
    return true;
  }
  bool get_text(std::string_view& text) {
    std::uint32_t size = 0;
    if (!get(size) || bytes_.size() - at_ < size) return false;
    text = bytes_.substr(at_, size);
    at_ += size;
    return true;
  }
  bool get_text(std::string& text) {
    std::string_view view;
    if (!get_text(view)) return false;
    text.assign(view);
    return true;
  }
  // Passes over `count` texts.
  bool skip_texts(std::size_t count) {
    std::string_view ignored;
    for (std::size_t i = 0; i < count; ++i) {
      if (!get_text(ignored)) return false;
    }
    return true;
  }
  std::size_t at() const { return at_; }
  // A count of entries of at least `entry_bytes` each that the rest can hold.
  bool get_count(std::uint32_t& count, std::size_t entry_bytes) {
    return get(count) && count <= (bytes_.size() - at_) / entry_bytes;
  }
  bool at_end() const { return at_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

// Distinct serialised values, numbered in order of appearance.
// Hashes keys 8 bytes a step: they are long (a finding's texts) and one is looked up per item.
struct KeyHash {
  std::size_t operator()(const std::string& key) const {
    detail::Checksum checksum;
    checksum.update(key);
    return checksum.value();
  }
};

struct Dictionary {
  std::unordered_map<std::string, std::uint32_t, KeyHash> ids;
  std::string table;
  std::uint32_t id_of(const std::string& key) {
    if (const auto found = ids.find(key); found != ids.end()) return found->second;
    const auto id = static_cast<std::uint32_t>(ids.size());
    ids.emplace(key, id);
    table += key;
    return id;
  }
};

}  // namespace

std::filesystem::path index_path(const std::filesystem::path& export_file) {
  return std::filesystem::path(export_file).replace_extension(".idx");
}

const std::vector<std::string>& indexed_children() {
  // The filter fields, and children named like an attribute field (<plugin_name>), which
  // replace the attribute's value in records of every child.
  static const std::vector<std::string> children{
      "cve",        "cvss_score",        "cvss_base_score", "cvss3_base_score", "vpr_score",
      "epss_score", "exploit_available", "risk_factor",     "plugin_type",      "type",
      "host",       "plugin_id",         "plugin_name",     "plugin_family",    "severity",
      "port",       "svc_name",          "protocol"};
  return children;
}

bool is_indexed_field(std::string_view field) {
  const auto& children = indexed_children();
  return is_attribute_field(field) || std::find(children.begin(), children.end(), field) != children.end();
}

struct IndexWriter::State {
  State(const ExportIdentity& export_identity, const std::filesystem::path& index_file) : out(index_file) {
    out.append(header_of(export_identity));
  }
  void append_body(std::string_view bytes) {
    checksum.update(bytes);
    out.append(bytes);
  }

  store::AtomicFileWriter out;
  detail::Checksum checksum;
  std::string pending;  // item records not yet appended
  std::uint64_t item_count = 0;
  std::optional<std::string> report_name;
  std::uint32_t host_count = 0;
  std::string host_table;
  Dictionary places;
  Dictionary findings;
  std::string place_key, finding_key, children;  // scratch, reused for every item
  bool too_long = false;                         // an item longer than its record can say
};

IndexWriter::IndexWriter(const std::filesystem::path& export_file) {
  const auto identity = identify(export_file);
  if (!identity) throw core::Error(core::ErrorKind::bad_input, "cannot read " + export_file.string() + " to index it");
  state_ = std::make_unique<State>(*identity, index_path(export_file));
}

IndexWriter::~IndexWriter() = default;

ReadOptions IndexWriter::read_options() {
  ReadOptions options;
  options.item_children = indexed_children();
  options.host_properties = false;
  return options;
}

void IndexWriter::on_report(std::string_view name) { state_->report_name = std::string(name); }

void IndexWriter::on_host_start(std::string_view name) {
  ++state_->host_count;
  put_text(state_->host_table, name);
}

void IndexWriter::on_item(const ReportItem& item) {
  State& s = *state_;
  std::string& place = s.place_key;
  place.clear();
  for (const std::string* field : {&item.port, &item.svc_name, &item.protocol}) put_text(place, *field);
  std::string& finding = s.finding_key;
  finding.clear();
  for (const std::string* field : {&item.plugin_id, &item.plugin_name, &item.plugin_family, &item.severity}) {
    put_text(finding, *field);
  }
  static const std::unordered_set<std::string_view> wanted(indexed_children().begin(), indexed_children().end());
  auto indexed = [](const std::string& name) { return wanted.contains(name); };
  std::string& children = s.children;
  children.clear();
  std::uint32_t child_count = 0;
  for (const auto& [name, text] : item.children) {
    if (!indexed(name)) continue;
    ++child_count;
    put_text(children, name);
    put_text(children, text);
  }
  put(finding, child_count);
  finding += children;
  const auto cut = static_cast<std::uint32_t>(
      std::count_if(item.truncated_children.begin(), item.truncated_children.end(), indexed));
  put(finding, cut);
  for (const std::string& name : item.truncated_children) {
    if (indexed(name)) put_text(finding, name);
  }
  if (item.length > UINT32_MAX) s.too_long = true;
  put(s.pending, item.offset);
  put(s.pending, static_cast<std::uint32_t>(item.length));
  put(s.pending, s.host_count - 1);
  put(s.pending, s.places.id_of(place));
  put(s.pending, s.findings.id_of(finding));
  ++s.item_count;
  if (s.pending.size() >= pending_items * item_bytes) {
    s.append_body(s.pending);
    s.pending.clear();
  }
}

void IndexWriter::commit() {
  State& s = *state_;
  if (s.too_long) throw core::Error(core::ErrorKind::bad_input, "an item is too long for the results index");
  s.append_body(s.pending);
  const std::uint64_t tables_offset = header_bytes + s.item_count * item_bytes;
  std::string tables;
  put(tables, static_cast<std::uint8_t>(s.report_name ? 1 : 0));
  put_text(tables, s.report_name.value_or(""));
  put(tables, s.host_count);
  tables += s.host_table;
  for (const Dictionary* dictionary : {&s.places, &s.findings}) {
    put(tables, static_cast<std::uint32_t>(dictionary->ids.size()));
    tables += dictionary->table;
  }
  s.append_body(tables);
  std::string trailer;
  put(trailer, s.item_count);
  put(trailer, tables_offset);
  put(trailer, s.checksum.value());
  trailer += trailer_magic;
  s.out.append(trailer);
  // Not synced: an index that a crash left torn or empty fails its checks and is rebuilt.
  s.out.commit(store::Durability::checked_by_readers);
}

ValidationResult validate_and_index(const std::filesystem::path& file, core::ScanType scan_type,
                                    const AuthPolicy& policy) {
  std::unique_ptr<IndexWriter> writer;
  try {
    writer = std::make_unique<IndexWriter>(file);
  } catch (const core::Error&) {
    // No index (unreadable export, read-only folder): results read the export instead.
  }
  ValidateOptions options;
  if (writer) {
    options.also = writer.get();
    options.also_options = IndexWriter::read_options();
  }
  ValidationResult result = validate_export(file, scan_type, policy, options);
  if (writer && result.read_with == ExportReader::byte_scan) {
    try {
      writer->commit();
    } catch (const core::Error&) {
      // As above: the index is optional.
    }
  }
  return result;
}

bool build_index(const std::filesystem::path& file) {
  try {
    IndexWriter writer(file);
    if (!scan_nessus(file, writer, IndexWriter::read_options())) return false;
    writer.commit();
    return true;
  } catch (const core::Error&) {
    return false;
  }
}

struct ResultsIndex::Mapping {
  void* address = MAP_FAILED;
  std::size_t size = 0;
  ~Mapping() {
    if (address != MAP_FAILED) ::munmap(address, size);
  }
};

bool ResultsIndex::foreign_file_in_the_way(const std::filesystem::path& export_file) {
  std::ifstream in(index_path(export_file), std::ios::binary);
  if (!in) return false;
  std::string magic(header_magic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  return magic != header_magic;
}

std::optional<ResultsIndex> ResultsIndex::load(const std::filesystem::path& export_file) {
  ResultsIndex index;
  {
    FileDescriptor descriptor{::open(index_path(export_file).c_str(), O_RDONLY | O_CLOEXEC)};
    struct stat st {};
    if (descriptor.fd < 0 || ::fstat(descriptor.fd, &st) != 0 || st.st_size <= 0 ||
        static_cast<std::uint64_t>(st.st_size) > largest_index) {
      return std::nullopt;
    }
    auto mapping = std::make_shared<Mapping>();
    mapping->size = static_cast<std::size_t>(st.st_size);
    mapping->address = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor.fd, 0);
    if (mapping->address == MAP_FAILED) return std::nullopt;
    index.bytes_ = std::string_view(static_cast<const char*>(mapping->address), mapping->size);
    index.mapping_ = std::move(mapping);
  }
  const std::string_view bytes = index.bytes_;
  const auto identity = identify(export_file);
  if (!identity || bytes.size() < header_bytes + trailer_bytes ||
      bytes.substr(0, header_bytes) != header_of(*identity) ||
      bytes.substr(bytes.size() - trailer_magic.size()) != trailer_magic) {
    return std::nullopt;
  }
  Cursor trailer(bytes.substr(bytes.size() - trailer_bytes));
  std::uint64_t tables_offset = 0;
  std::uint64_t checksum = 0;
  trailer.get(index.item_count_);
  trailer.get(tables_offset);
  trailer.get(checksum);
  const std::size_t body_end = bytes.size() - trailer_bytes;
  detail::Checksum actual;
  actual.update(bytes.substr(header_bytes, body_end - header_bytes));
  if (actual.value() != checksum || index.item_count_ > (body_end - header_bytes) / item_bytes ||
      tables_offset != header_bytes + index.item_count_ * item_bytes) {
    return std::nullopt;
  }
  // Walks every table once, checking it and noting where each entry starts.
  Cursor tables(bytes.substr(0, body_end), tables_offset);
  std::uint8_t has_report = 0;
  std::string report_name;
  std::uint32_t count = 0;
  if (!tables.get(has_report) || !tables.get_text(report_name) || !tables.get_count(count, 4)) return std::nullopt;
  if (has_report) index.report_name_ = std::move(report_name);
  index.host_at_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    index.host_at_.push_back(tables.at());
    if (!tables.skip_texts(1)) return std::nullopt;
  }
  if (!tables.get_count(count, 12)) return std::nullopt;
  index.place_at_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    index.place_at_.push_back(tables.at());
    if (!tables.skip_texts(3)) return std::nullopt;
  }
  if (!tables.get_count(count, 24)) return std::nullopt;
  index.finding_at_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    index.finding_at_.push_back(tables.at());
    std::uint32_t children = 0;
    std::uint32_t cut = 0;
    if (!tables.skip_texts(4) || !tables.get_count(children, 8) || !tables.skip_texts(2 * std::size_t{children}) ||
        !tables.get_count(cut, 4) || !tables.skip_texts(cut)) {
      return std::nullopt;
    }
  }
  if (!tables.at_end()) return std::nullopt;
  index.export_size_ = identity->size;
  return index;
}

std::string_view ResultsIndex::host(std::size_t i) const {
  Cursor entry(bytes_, host_at_[i]);
  std::string_view name;
  entry.get_text(name);
  return name;
}

void ResultsIndex::place(std::size_t i, ReportItem& place) const {
  Cursor entry(bytes_, place_at_[i]);
  entry.get_text(place.port);
  entry.get_text(place.svc_name);
  entry.get_text(place.protocol);
}

void ResultsIndex::finding(std::size_t i, ReportItem& finding) const {
  Cursor entry(bytes_, finding_at_[i]);
  entry.get_text(finding.plugin_id);
  entry.get_text(finding.plugin_name);
  entry.get_text(finding.plugin_family);
  entry.get_text(finding.severity);
  std::uint32_t count = 0;
  entry.get(count);
  finding.children.resize(count);
  for (auto& [name, text] : finding.children) {
    entry.get_text(name);
    entry.get_text(text);
  }
  entry.get(count);
  finding.truncated_children.resize(count);
  for (std::string& name : finding.truncated_children) entry.get_text(name);
}

std::string_view ResultsIndex::finding_severity(std::size_t i) const {
  Cursor entry(bytes_, finding_at_[i]);
  std::string_view severity;
  entry.skip_texts(3);
  entry.get_text(severity);
  return severity;
}

std::optional<IndexedItem> ResultsIndex::item(std::uint64_t i) const {
  IndexedItem item;
  const char* record = bytes_.data() + header_bytes + i * item_bytes;
  std::memcpy(&item.offset, record, 8);
  std::memcpy(&item.length, record + 8, 4);
  std::memcpy(&item.host, record + 12, 4);
  std::memcpy(&item.place, record + 16, 4);
  std::memcpy(&item.finding, record + 20, 4);
  if (item.host >= host_at_.size() || item.place >= place_at_.size() || item.finding >= finding_at_.size() ||
      item.offset > export_size_ || item.length > export_size_ - item.offset) {
    return std::nullopt;
  }
  return item;
}

}  // namespace sw::results
