// field=value filters on scan-result records: the one implementation of their rules
// (docs/results.md), for scanctl results and for the MCP server's get_scan_results.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace sw::results {

// (field, value). Value forms, tried in this order:
//   "true" / "false"        the field's truthiness (a non-empty string or list is true)
//   >=N  <=N  >N  <N  =N    numeric comparison; the field must be a number or a numeric
//                           string (severity "3", cvss3_base_score 7.5, vpr_score "6.7"),
//                           otherwise the record does not match
//   anything else           case-insensitive substring of a string field or of any
//                           element of a list (cve); equality for a number field
using Filter = std::pair<std::string, std::string>;

// A finite number, surrounding blanks ignored ("7.5", " 3"); nullopt otherwise.
std::optional<double> parse_number(std::string_view text);

// Parses "field=value" (the value may contain '='). Throws core::Error(bad_input) when
// there is no field, or an operator is followed by something other than a number.
Filter parse_filter(const std::string& text);

// Throws core::Error(bad_input) for a filter parse_filter would refuse.
void check_filter(const Filter& filter);

// Whether `record` (a JSON object of one finding) passes `filter`; a missing field never does.
bool filter_matches(const nlohmann::ordered_json& record, const Filter& filter);

}  // namespace sw::results
