// JSON-NL results: records are built from ReportItems with only the children the
// profile, custom fields and filters need; filters apply to the whole record before the
// projection to the requested fields.
#include "results/jsonl_results.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "results/filters.hpp"
#include "results/nessus_reader.hpp"
#include "results/results_index.hpp"

namespace sw::results {
namespace {

using Record = nlohmann::ordered_json;

constexpr int minimum_page_size = 10;
constexpr int maximum_page_size = 100;

constexpr std::array<std::string_view, 9> attribute_fields{
    "type", "host", "plugin_id", "plugin_name", "plugin_family", "severity", "port", "svc_name", "protocol"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string truncation_marker(std::string_view field) { return std::string(field) + "_truncated"; }

// The item's text behind an attribute field (one of attribute_fields), as written.
std::string_view attribute_text(const ReportItem& item, std::string_view field) {
  if (field == "host") return item.host;
  if (field == "plugin_id") return item.plugin_id;
  if (field == "plugin_name") return item.plugin_name;
  if (field == "plugin_family") return item.plugin_family;
  if (field == "severity") return item.severity;
  if (field == "port") return item.port;
  if (field == "svc_name") return item.svc_name;
  if (field == "protocol") return item.protocol;
  return "vulnerability";  // type
}

// Severity as the number it is (" 3" -> "3"); blank or out-of-range values as written.
Record make_record(const ReportItem& item) {
  Record record = Record::object();
  for (const std::string_view field : attribute_fields) {
    const int level = field == "severity" ? item.severity_level() : -1;
    record[std::string(field)] = level >= 0 ? std::to_string(level) : std::string(attribute_text(item, field));
  }
  for (const auto& [name, text] : item.children) {
    if (name == "cve") {
      record["cve"].push_back(text);
    } else if (name == "cvss_base_score" || name == "cvss3_base_score" || name == "cvss_score") {
      const auto number = parse_number(text);
      record[name] = text.empty() ? Record(nullptr) : number ? Record(*number) : Record(text);
    } else if (name == "exploit_available") {
      record[name] = lower(text) == "true";
    } else {
      record[name] = text;
    }
  }
  for (const std::string& name : item.truncated_children) record[truncation_marker(name)] = true;
  return record;
}

Record project(const Record& record, const std::vector<std::string>& fields) {
  Record projected{{"type", "vulnerability"}};
  for (const std::string& field : fields) {
    const auto found = record.find(field);
    if (found == record.end()) continue;
    projected[field] = *found;
    const std::string marker = truncation_marker(field);
    if (record.contains(marker)) projected[marker] = true;
  }
  return projected;
}

void write_line(std::ostream& out, const Record& line) {
  out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

// Collects records in document order and hands the matching ones to `sink`.
template <typename Sink>
class RecordVisitor final : public NessusVisitor {
 public:
  RecordVisitor(const ResultsQuery& query, Sink sink) : query_(query), sink_(std::move(sink)) {}

  std::string scan_name = "Unknown";
  std::uint64_t records = 0;          // matching the filters
  std::uint64_t vulnerabilities = 0;  // of those, severity 1-4

  void on_report(std::string_view name) override { scan_name = name; }

  void on_item(const ReportItem& item) override {
    Record record = make_record(item);
    for (const auto& filter : query_.filters) {
      if (!filter_matches(record, filter)) return;
    }
    ++records;
    if (item.severity_level() >= 1) ++vulnerabilities;
    sink_(std::move(record));
  }

 private:
  const ResultsQuery& query_;
  Sink sink_;
};

ReadOptions read_options(const std::vector<std::string>& fields, bool all_fields,
                         const std::vector<std::pair<std::string, std::string>>& filters) {
  ReadOptions options;
  options.host_properties = false;
  options.all_item_children = all_fields;
  auto want = [&options](const std::string& field) {
    if (!is_attribute_field(field) &&
        std::find(options.item_children.begin(), options.item_children.end(), field) == options.item_children.end()) {
      options.item_children.push_back(field);
    }
  };
  if (!all_fields) std::for_each(fields.begin(), fields.end(), want);
  for (const auto& filter : filters) want(filter.first);
  return options;
}

// Which items of an index pass the filters. A filter is judged on the record make_record
// builds from a table entry (a host, a place, a finding), with filter_matches: the rules
// the whole-export path applies to every item. Entries are judged only for the tables
// that filters name, and once per distinct value of the fields filtered on. Children
// named like an attribute field (<plugin_name>) are in the record only when every child
// is collected (`all_children`), where they replace the attribute's value, as there.
class IndexSelection {
 public:
  IndexSelection(const ResultsIndex& index, const std::vector<Filter>& filters, bool all_children) {
    for (const Filter& filter : filters) {
      const std::string& field = filter.first;
      if (field == "type")
        type_filters_.push_back(filter);
      else if (field == "host")
        host_filters_.push_back(filter);
      else if (field == "port" || field == "svc_name" || field == "protocol")
        place_filters_.push_back(filter);
      else
        finding_filters_.push_back(filter);
    }
    ReportItem item;
    type_ok_ = passes(item, type_filters_);
    judge(host_ok_, host_filters_, index.host_count(), item, [&](std::size_t i) { item.host = index.host(i); });
    item.host = {};
    judge(place_ok_, place_filters_, index.place_count(), item, [&](std::size_t i) { index.place(i, item); });
    auto load_finding = [&](std::size_t i) {
      index.finding(i, item);
      if (all_children) return;
      std::erase_if(item.children, [](const auto& child) { return is_attribute_field(child.first); });
      std::erase_if(item.truncated_children, [](const std::string& name) { return is_attribute_field(name); });
    };
    judge(finding_ok_, finding_filters_, index.finding_count(), item, load_finding);
    // A finding's child that would replace a host's or place's value: not judged here.
    for (std::size_t i = 0; all_children && i < index.finding_count() && exact_; ++i) {
      load_finding(i);
      for (const auto& filters_of_other_tables : {&type_filters_, &host_filters_, &place_filters_}) {
        for (const Filter& filter : *filters_of_other_tables) exact_ = exact_ && !item.child(filter.first);
      }
    }
    for (std::size_t i = 0; i < index.finding_count(); ++i) {
      vulnerability_.push_back(severity_level(index.finding_severity(i)) >= 1);
    }
  }

  bool matches(const IndexedItem& item) const {
    return type_ok_ && (host_ok_.empty() || host_ok_[item.host]) && (place_ok_.empty() || place_ok_[item.place]) &&
           (finding_ok_.empty() || finding_ok_[item.finding]);
  }
  bool vulnerability(const IndexedItem& item) const { return vulnerability_[item.finding]; }
  // False when the verdicts could differ from the whole export's: read that instead.
  bool exact() const { return exact_; }

 private:
  static bool passes(const ReportItem& item, const std::vector<Filter>& filters) {
    if (filters.empty()) return true;
    const Record record = make_record(item);
    return std::all_of(filters.begin(), filters.end(),
                       [&](const Filter& filter) { return filter_matches(record, filter); });
  }

  // The values of an item's fields that `filters` test: equal keys, equal verdicts.
  static void key_of(const ReportItem& item, const std::vector<Filter>& filters, std::string& key) {
    key.clear();
    for (const Filter& filter : filters) {
      if (is_attribute_field(filter.first)) key.append(attribute_text(item, filter.first)).append(1, '\0');
      for (const auto& [name, text] : item.children) {
        if (name == filter.first) key.append(text).append(1, '\1');
      }
      key += item.truncated(filter.first) ? "\2" : "\3";
    }
  }

  // Verdicts for `count` entries loaded into `item` by `load`; none when no filter.
  template <typename Load>
  static void judge(std::vector<bool>& verdicts, const std::vector<Filter>& filters, std::size_t count,
                    ReportItem& item, Load load) {
    if (filters.empty()) return;
    std::unordered_map<std::string, bool> known;
    std::string key;
    for (std::size_t i = 0; i < count; ++i) {
      load(i);
      key_of(item, filters, key);
      auto found = known.find(key);
      if (found == known.end()) found = known.emplace(key, passes(item, filters)).first;
      verdicts.push_back(found->second);
    }
  }

  std::vector<Filter> type_filters_, host_filters_, place_filters_, finding_filters_;
  bool type_ok_ = true;
  bool exact_ = true;
  std::vector<bool> host_ok_, place_ok_, finding_ok_, vulnerability_;
};

// The export's index when the filters allow it to serve the query: loaded, or built
// afresh when missing, old or damaged (a file of another kind in its place is left
// alone); nullopt when there is none to use.
std::optional<ResultsIndex> usable_index(const std::filesystem::path& file, const std::vector<Filter>& filters) {
  if (!std::all_of(filters.begin(), filters.end(), [](const Filter& f) { return is_indexed_field(f.first); })) {
    return std::nullopt;
  }
  if (auto index = ResultsIndex::load(file)) return index;
  if (ResultsIndex::foreign_file_in_the_way(file) || !build_index(file)) return std::nullopt;
  return ResultsIndex::load(file);
}

std::uint64_t page_count(std::uint64_t records, std::uint64_t page_size) {
  return records == 0 ? 1 : (records + page_size - 1) / page_size;
}

Record pagination_line(int page, int page_size, std::uint64_t pages) {
  const bool has_next = static_cast<std::uint64_t>(page) < pages;
  return {{"type", "pagination"}, {"page", page},         {"page_size", page_size},
          {"total_pages", pages}, {"has_next", has_next}, {"next_page", has_next ? Record(page + 1) : Record(nullptr)}};
}

constexpr std::size_t items_per_read = 256;

}  // namespace

bool is_attribute_field(std::string_view field) {
  return std::find(attribute_fields.begin(), attribute_fields.end(), field) != attribute_fields.end();
}

std::vector<std::string> profile_fields(const std::string& profile) {
  std::vector<std::string> fields{"host", "plugin_id", "severity", "cve", "cvss_score", "exploit_available"};
  if (profile == "minimal") return fields;
  fields.insert(fields.end(), {"plugin_name", "cvss3_base_score", "synopsis"});
  if (profile == "summary") return fields;
  fields.insert(fields.end(), {"description", "solution"});
  if (profile == "brief") return fields;
  if (profile == "full") return {};
  throw core::Error(core::ErrorKind::bad_input,
                    "invalid profile '" + profile + "': must be one of minimal, summary, brief, full");
}

void write_results(const std::filesystem::path& file, const ResultsQuery& query, std::ostream& out, ResultsPath path) {
  const bool custom = !query.custom_fields.empty();
  if (custom && query.profile != "brief") {
    throw core::Error(core::ErrorKind::bad_input,
                      "cannot combine profile '" + query.profile + "' with custom fields: use one or the other");
  }
  if (query.page < 0) throw core::Error(core::ErrorKind::bad_input, "page must be 0 (all) or at least 1");
  for (const Filter& filter : query.filters) check_filter(filter);
  const std::vector<std::string> fields = custom ? query.custom_fields : profile_fields(query.profile);
  const bool all_fields = fields.empty();
  const ReadOptions options = read_options(fields, all_fields, query.filters);
  auto shape = [&](const Record& record) { return all_fields ? record : project(record, fields); };

  Record filters_applied = Record::object();
  for (const auto& [field, value] : query.filters) {
    filters_applied[field] = value == "true" ? Record(true) : value == "false" ? Record(false) : Record(value);
  }
  auto schema_line = [&](std::uint64_t vulnerabilities, std::uint64_t records, std::uint64_t pages) {
    return Record{{"type", "schema"},
                  {"profile", custom ? std::string("custom") : query.profile},
                  {"fields", all_fields ? Record("all") : Record(fields)},
                  {"filters_applied", filters_applied},
                  {"total_vulnerabilities", vulnerabilities},
                  {"total_records", records},
                  {"total_pages", pages}};
  };

  const int page_size = std::clamp(query.page_size, minimum_page_size, maximum_page_size);
  const std::uint64_t first =
      query.page == 0 ? 0 : static_cast<std::uint64_t>(query.page - 1) * static_cast<std::uint64_t>(page_size);
  const std::uint64_t wanted = query.page == 0 ? UINT64_MAX : static_cast<std::uint64_t>(page_size);
  auto write_head = [&](std::uint64_t vulnerabilities, std::uint64_t records, const std::string& scan_name) {
    const std::uint64_t pages = query.page == 0 ? 1 : page_count(records, static_cast<std::uint64_t>(page_size));
    write_line(out, schema_line(vulnerabilities, records, pages));
    write_line(out, {{"type", "scan_metadata"}, {"scan_name", scan_name}});
    return pages;
  };

  if (path == ResultsPath::indexed) {
    if (const auto index = usable_index(file, query.filters)) {
      const IndexSelection selection(*index, query.filters, all_fields);
      std::uint64_t records = 0;
      std::uint64_t vulnerabilities = 0;
      bool whole = selection.exact();
      for (std::uint64_t i = 0; i < index->item_count() && whole; ++i) {
        const auto item = index->item(i);
        whole = item.has_value();
        if (!whole || !selection.matches(*item)) continue;
        ++records;
        if (selection.vulnerability(*item)) ++vulnerabilities;
      }
      if (whole) {
        const std::uint64_t pages = write_head(vulnerabilities, records, index->report_name().value_or("Unknown"));
        RecordVisitor writer(query, [&](Record&& record) { write_line(out, shape(record)); });
        std::vector<ItemLocation> batch;
        std::uint64_t seen = 0;
        for (std::uint64_t i = 0; i < index->item_count() && seen < first + wanted; ++i) {
          const auto item = index->item(i);
          if (!selection.matches(*item)) continue;
          if (seen++ < first) continue;
          batch.push_back({index->host(item->host), item->offset, item->length});
          if (batch.size() == items_per_read) {
            read_nessus_items(file, batch, writer, options);
            batch.clear();
          }
        }
        read_nessus_items(file, batch, writer, options);
        if (query.page != 0) write_line(out, pagination_line(query.page, page_size, pages));
        return;
      }
    }
  }

  if (query.page == 0) {
    RecordVisitor counter(query, [](Record&&) {});
    read_nessus(file, counter, read_options({}, false, query.filters));
    write_head(counter.vulnerabilities, counter.records, counter.scan_name);
    RecordVisitor writer(query, [&](Record&& record) { write_line(out, shape(record)); });
    read_nessus(file, writer, options);
    return;
  }

  std::uint64_t seen = 0;
  std::vector<Record> page;
  RecordVisitor collector(query, [&](Record&& record) {
    if (seen >= first && seen < first + wanted) page.push_back(shape(record));
    ++seen;
  });
  read_nessus(file, collector, options);
  const std::uint64_t pages = write_head(collector.vulnerabilities, collector.records, collector.scan_name);
  for (const Record& record : page) write_line(out, record);
  write_line(out, pagination_line(query.page, page_size, pages));
}

}  // namespace sw::results
