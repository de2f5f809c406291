// Pure parts of the Nessus REST protocol (docs/nessus-client.md): base URL parsing, the
// X-API-Token extraction from /nessus6.js, reading tolerant JSON payloads (ids as numbers or
// strings, arrays that may be null), run state and progress, the create body, the mapping of
// HTTP statuses to error kinds, and certificate fingerprint comparison. No I/O.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "nessus/scanner_api.hpp"

namespace sw::nessus {

struct BaseUrl {
  bool tls = true;
  std::string host;  // without brackets for IPv6 literals
  std::string port;  // "8834" when the URL has none
};

// http(s)://host[:port][/] -> BaseUrl; anything else (a path, userinfo, another scheme)
// throws core::Error(bad_input).
BaseUrl parse_base_url(std::string_view url);

// The X-API-Token UUID inside the web UI bundle (docs/nessus-client.md#the-x-api-token), or nullopt.
std::optional<std::string> extract_api_token(std::string_view javascript);

// A JSON number or a string of digits as an integer; `fallback` for null, absent or other.
std::int64_t json_integer(const nlohmann::json& value, std::int64_t fallback = 0);
// A JSON string, or `fallback` for null, absent or anything else.
std::string json_string(const nlohmann::json& value, std::string fallback = {});
// The member `key` of `object` when `object` is an object holding it; otherwise null.
const nlohmann::json& member(const nlohmann::json& object, std::string_view key);
// The member as an array; an empty array when null, absent or not an array.
const nlohmann::json& array_member(const nlohmann::json& object, std::string_view key);

// The fields of a GET /scans/{id} document that the client uses. The document grows with
// the hosts (hundreds of MB for 100,000 targets); it is read as a stream of tokens and only
// these fields are kept.
struct ScanDetails {
  struct HistoryEntry {
    std::string uuid, status;
  };
  std::string status;  // info.status
  std::string uuid;    // info.uuid ("" when null)
  std::vector<HistoryEntry> history;
  double progress_current = 0;  // sums over hosts[] of scanprogresscurrent / scanprogresstotal
  double progress_total = 0;    // (numbers or strings of digits)
  int hosts = 0;
};

// nullopt when the text is not JSON.
std::optional<ScanDetails> parse_scan_details(std::string_view document);

// The state of the run `run_uuid` (docs/nessus-client.md#following-our-run): info.status when info.uuid is that run,
// else the status of the history entry with that uuid, else run_found = false with
// info.status. Progress: 100 * current / total over the hosts, 0 when the total is 0.
RunState run_state_of(const ScanDetails& details, std::string_view run_uuid);

// info.uuid; "" for a never-launched scan.
std::string current_run_uuid_of(const ScanDetails& details);

// The `scans` array of a GET /scans document: id, name, status, uuid, folder id and dates
// of each scan with an id (integers or strings of digits). Read as it streams past, without
// building the document: the worker reads a listing of every scan on the scanner each poll
// interval. nullopt when the text is not JSON.
std::optional<std::vector<ScanListEntry>> parse_scan_list(std::string_view document);

// The id of the folder of `type` ("main", "trash") in a document with a `folders` array.
std::optional<std::int64_t> folder_id_of_type(const nlohmann::json& folders_document, std::string_view type);

// The uuid of the template `name` (or title) in a GET /editor/scan/templates document, else
// the well-known constant for that name (docs/nessus-client.md#the-calls), else nullopt.
std::optional<std::string> template_uuid(const nlohmann::json& templates_document, std::string_view name);

// The POST /scans body of docs/nessus-client.md#creating-a-scan.
nlohmann::json create_scan_body(const NewScan& scan, const std::string& template_uuid, std::int64_t folder_id);

// The error kind for a non-2xx HTTP status: 401 auth, 404 not_found, 409 conflict,
// 412 api_disabled, other 4xx client, 5xx server.
core::ErrorKind error_kind_for_status(int status);

// The `error` member of a Nessus error body, or of a body that is not JSON the body itself:
// its first 200 bytes, redacted, control characters escaped (a body of any size or shape
// is read in constant stack); "" for an empty body.
std::string error_text(std::string_view body);

// Lower-case hex without separators; "" when the text is not 64 hex digits (colons allowed).
std::string normalize_fingerprint(std::string_view fingerprint);
// True when the pinned fingerprint (any case, colons allowed) equals the actual one.
bool fingerprint_matches(std::string_view pinned, std::string_view actual_hex);

// The metric label of a request: the method and the path with ids and tokens replaced,
// e.g. "GET /scans/{id}/export/{id}/status"; the query string is dropped.
std::string endpoint_label(std::string_view method, std::string_view target);

}  // namespace sw::nessus
