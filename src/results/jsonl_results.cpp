// JSON-NL results: records are built from ReportItems with only the children the
// profile, custom fields and filters need; filters apply to the whole record before the
// projection to the requested fields.
#include "results/jsonl_results.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "results/filters.hpp"
#include "results/nessus_reader.hpp"

namespace sw::results {
namespace {

using Record = nlohmann::ordered_json;

constexpr int minimum_page_size = 10;
constexpr int maximum_page_size = 100;

constexpr std::array<std::string_view, 9> attribute_fields{
    "type", "host", "plugin_id", "plugin_name", "plugin_family", "severity", "port", "svc_name", "protocol"};

bool is_attribute_field(std::string_view field) {
  return std::find(attribute_fields.begin(), attribute_fields.end(), field) != attribute_fields.end();
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string truncation_marker(std::string_view field) { return std::string(field) + "_truncated"; }

// Severity as the number it is (" 3" -> "3"); blank or out-of-range values as written.
Record make_record(const ReportItem& item) {
  const int level = item.severity_level();
  const std::string severity = level >= 0 ? std::to_string(level) : item.severity;
  Record record{{"type", "vulnerability"},      {"host", item.host},
                {"plugin_id", item.plugin_id},   {"plugin_name", item.plugin_name},
                {"plugin_family", item.plugin_family}, {"severity", severity},
                {"port", item.port},             {"svc_name", item.svc_name},
                {"protocol", item.protocol}};
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

}  // namespace

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

void write_results(const std::filesystem::path& file, const ResultsQuery& query, std::ostream& out) {
  const bool custom = !query.custom_fields.empty();
  if (custom && query.profile != "brief") {
    throw core::Error(core::ErrorKind::bad_input, "cannot combine profile '" + query.profile +
                                                      "' with custom fields: use one or the other");
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

  if (query.page == 0) {
    RecordVisitor counter(query, [](Record&&) {});
    read_nessus(file, counter, read_options({}, false, query.filters));
    write_line(out, schema_line(counter.vulnerabilities, counter.records, 1));
    write_line(out, {{"type", "scan_metadata"}, {"scan_name", counter.scan_name}});
    RecordVisitor writer(query, [&](Record&& record) { write_line(out, shape(record)); });
    read_nessus(file, writer, options);
    return;
  }

  const int page_size = std::clamp(query.page_size, minimum_page_size, maximum_page_size);
  const std::uint64_t first = static_cast<std::uint64_t>(query.page - 1) * static_cast<std::uint64_t>(page_size);
  std::uint64_t seen = 0;
  std::vector<Record> page;
  RecordVisitor collector(query, [&](Record&& record) {
    if (seen >= first && seen < first + static_cast<std::uint64_t>(page_size)) page.push_back(shape(record));
    ++seen;
  });
  read_nessus(file, collector, options);
  const std::uint64_t total = collector.records;
  const std::uint64_t pages = total == 0 ? 1 : (total + static_cast<std::uint64_t>(page_size) - 1) / static_cast<std::uint64_t>(page_size);
  write_line(out, schema_line(collector.vulnerabilities, total, pages));
  write_line(out, {{"type", "scan_metadata"}, {"scan_name", collector.scan_name}});
  for (const Record& record : page) write_line(out, record);
  const bool has_next = static_cast<std::uint64_t>(query.page) < pages;
  write_line(out, {{"type", "pagination"},
                   {"page", query.page},
                   {"page_size", page_size},
                   {"total_pages", pages},
                   {"has_next", has_next},
                   {"next_page", has_next ? Record(query.page + 1) : Record(nullptr)}});
}

}  // namespace sw::results
