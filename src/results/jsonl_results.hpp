// Scan results as JSON-NL in the format of the Python MCP server's get_scan_results:
// a "schema" line, a "scan_metadata" line, one "vulnerability" line per ReportItem and,
// unless page is 0 (everything), a "pagination" line (docs/results.md). Streams: memory
// is independent of the file size (at most one page of records is held). A page is read
// through the export's results index (results_index.hpp) where the filters allow it.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "results/filters.hpp"

namespace sw::results {

struct ResultsQuery {
  std::string profile = "brief";           // minimal | summary | brief | full
  std::vector<std::string> custom_fields;  // when set, profile must stay "brief"; reported as "custom"
  std::vector<Filter> filters;             // all must match; rules in filters.hpp
  int page = 1;                            // 1-based; 0 returns every record and no pagination line
  int page_size = 40;                      // clamped to 10..100
};

// Whether a record field comes from the ReportItem's attributes and host (type, host,
// plugin_id, plugin_name, plugin_family, severity, port, svc_name, protocol) rather than
// from a child element.
bool is_attribute_field(std::string_view field);

// Field names of a profile, empty for "full" (every field). Throws core::Error(bad_input)
// for an unknown profile.
std::vector<std::string> profile_fields(const std::string& profile);

// Where write_results reads the records from.
enum class ResultsPath {
  // The results index (built when it is missing, old or damaged) and only the items of
  // the page, when every filter names an indexed field; the whole export otherwise.
  indexed,
  // The whole export, every time: the reference, for tests and benchmarks.
  whole_export,
};

// The schema line's total_vulnerabilities counts the matching records of severity 1-4
// (without info, as validate's), total_records every matching record (the pages).
// A collected text cut at 256 KiB is marked in its record ("plugin_output_truncated": true).
// Throws core::Error(bad_input) for a bad query, ReadError for a bad file.
// Both paths write the same bytes.
void write_results(const std::filesystem::path& file, const ResultsQuery& query, std::ostream& out,
                   ResultsPath path = ResultsPath::indexed);

}  // namespace sw::results
