// Private to the simulator's source files: one request being handled (Simulator::Call), how
// a route's path pattern matches it, the small helpers that read requests and build the
// replies real Nessus servers send (JSON bodies, {"error": "..."} texts, ids, forms), and
// the scan templates the simulated server offers.
#pragma once

#include <array>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/simulator.hpp"

namespace sw::sim {

struct Simulator::Call {
  const http::Request& request;
  double now;
  std::string path;
  std::map<std::string, std::string> query;
  std::vector<std::string> segments;
  std::optional<nlohmann::json> body;  // parsed JSON body (an empty body is an empty object)
  Scan* scan = nullptr;                // the {scan} of the route's pattern
};

struct ScanTemplate {
  std::string_view uuid;
  std::string_view name;
  std::string_view title;
};
inline constexpr std::array<ScanTemplate, 4> scan_templates{{
    {"ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66", "advanced", "Advanced Scan"},
    {"731a8e52-3ea6-a291-ec0a-d2ff0619c19d7bd788d6be818b65", "basic", "Basic Network Scan"},
    {"bbd4f805-3966-d464-b2d1-0079eb89d69708c3a05ec2812bcf", "discovery", "Host Discovery"},
    {"cfc46c2d-30e7-bb2b-3b92-c75da136792d080c1fffcc429cfd", "asv", "PCI Quarterly External Scan"},
}};

// True when `segments` fit `pattern` ("/scans/{scan}/launch"): as many segments, literal
// ones equal; {scan} and {*} stand for any one segment.
bool path_matches(std::string_view pattern, const std::vector<std::string>& segments);
// The index of the segment that {scan} stands for in `pattern`, if it has one.
std::optional<std::size_t> scan_segment_of(std::string_view pattern);

std::int64_t epoch(double seconds);

Reply text_reply(boost::beast::http::status status, std::string body,
                 std::string_view content_type = "application/json");
Reply json_reply(boost::beast::http::status status, const nlohmann::json& body);
Reply ok(const nlohmann::json& body);
Reply error_reply(boost::beast::http::status status, std::string_view message);
Reply not_found();
Reply not_allowed();

// A decimal id of at most 18 digits.
std::optional<std::int64_t> parse_id(std::string_view text);
// A JSON id that may be a number or a string of digits.
std::optional<std::int64_t> json_id(const nlohmann::json& value);
// "a=1&b=x+y" (URL-encoded) -> its fields.
std::map<std::string, std::string> parse_form(std::string_view text);
// The value of a request header ("" when absent).
std::string header(const http::Request& request, std::string_view name);
std::string trim(std::string_view text);
// "GET /scans/{id}/export/{id}/status": the method and the path, numeric segments as {id}.
std::string endpoint_of(boost::beast::http::verb method, const std::vector<std::string>& segments);

}  // namespace sw::sim
