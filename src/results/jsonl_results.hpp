// Scan results as JSON-NL in the format of the Python MCP server's get_scan_results:
// a "schema" line, a "scan_metadata" line, one "vulnerability" line per ReportItem and,
// unless page is 0 (everything), a "pagination" line. Streams: memory is independent
// of the file size (at most one page of records is held).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace sw::results {

struct ResultsQuery {
  std::string profile = "brief";           // minimal | summary | brief | full
  std::vector<std::string> custom_fields;  // when set, profile must stay "brief"; reported as "custom"
  // field=value pairs, all must match. Values: "true"/"false" compare truthiness; a value
  // starting with > >= < <= = compares numbers; otherwise a case-insensitive substring
  // (of the string, or of any element of a list such as cve).
  std::vector<std::pair<std::string, std::string>> filters;
  int page = 1;        // 1-based; 0 returns every record and no pagination line
  int page_size = 40;  // clamped to 10..100
};

// Field names of a profile, empty for "full" (every field). Throws core::Error(bad_input)
// for an unknown profile.
std::vector<std::string> profile_fields(const std::string& profile);

// Parses "key=value" (value may contain '='). Throws core::Error(bad_input).
std::pair<std::string, std::string> parse_filter(const std::string& text);

// Throws core::Error(bad_input) for a bad query, ReadError for a bad file.
void write_results(const std::filesystem::path& file, const ResultsQuery& query, std::ostream& out);

}  // namespace sw::results
