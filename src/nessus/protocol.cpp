// Pure parts of the Nessus REST protocol; see protocol.hpp.
#include "nessus/protocol.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <initializer_list>

#include "core/json_depth.hpp"
#include "core/redact.hpp"
#include "core/text.hpp"
#include "nessus/run_status.hpp"

namespace sw::nessus {
namespace {

using nlohmann::json;

struct KnownTemplate {
  std::string_view name;
  std::string_view uuid;
};

// Well-known template uuids (docs/nessus-client.md#the-calls): stable across installations;
// used when the server's list lacks the name.
constexpr std::array<KnownTemplate, 4> kKnownTemplates{{
    {"advanced", "ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66"},
    {"basic", "731a8e52-3ea6-a291-ec0a-d2ff0619c19d7bd788d6be818b65"},
    {"discovery", "bbd4f805-3966-d464-b2d1-0079eb89d69708c3a05ec2812bcf"},
    {"asv", "cfc46c2d-30e7-bb2b-3b92-c75da136792d080c1fffcc429cfd"},
}};

// How far after "getApiToken" the token may sit; keeps the search off the MB-sized bundle.
constexpr std::size_t kTokenWindow = 512;
constexpr std::string_view kTokenKey = "getApiToken";
constexpr std::size_t kTokenLength = 36;  // a UUID
constexpr std::size_t kErrorExcerpt = 200;

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

bool is_quote(char c) { return c == '"' || c == '\''; }

bool is_token_char(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == '-'; }

bool is_js_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// The token of `return "<uuid>"` at `at` in `window` (quotes ' or ", spaces allowed after
// the keyword, any case), or nullopt.
std::optional<std::string> returned_token(std::string_view window, std::size_t at) {
  constexpr std::string_view kReturn = "return";
  if (!iequals(window.substr(at, kReturn.size()), kReturn)) return std::nullopt;
  at += kReturn.size();
  while (at < window.size() && is_js_space(window[at])) ++at;
  if (at + kTokenLength + 2 > window.size() || !is_quote(window[at]) || !is_quote(window[at + kTokenLength + 1])) {
    return std::nullopt;
  }
  const std::string_view token = window.substr(at + 1, kTokenLength);
  if (!std::all_of(token.begin(), token.end(), is_token_char)) return std::nullopt;
  return std::string(token);
}

// The token returned inside the object literal that starts at "getApiToken" (window[0]):
// the first `return "<uuid>"` before the literal's closing brace.
std::optional<std::string> token_in_window(std::string_view window) {
  const std::size_t object_end = std::min(window.find('}', kTokenKey.size()), window.size());
  for (std::size_t at = kTokenKey.size(); at < object_end; ++at) {
    if (auto token = returned_token(window, at)) return token;
  }
  return std::nullopt;
}

}  // namespace

BaseUrl parse_base_url(std::string_view url) {
  auto fail = [&](std::string_view why) {
    throw core::Error(core::ErrorKind::bad_input, "scanner url '" + std::string(url) + "': " + std::string(why));
  };
  BaseUrl result;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    result.tls = false;
    rest = url.substr(7);
  } else {
    fail("must start with http:// or https://");
  }
  while (rest.ends_with('/')) {
    rest.remove_suffix(1);
  }
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    fail("must be scheme://host[:port] without path, query or user info");
  }
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      fail("unterminated IPv6 address");
    }
    result.host = std::string(rest.substr(1, close - 1));
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        fail("unexpected text after the IPv6 address");
      }
      port = after.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    result.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
    }
  }
  if (result.host.empty()) {
    fail("no host");
  }
  if (port.empty()) {
    result.port = "8834";
  } else {
    int number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc{} || end != port.data() + port.size() || number < 1 || number > 65535) {
      fail("bad port");
    }
    result.port = std::string(port);
  }
  return result;
}

std::optional<std::string> extract_api_token(std::string_view javascript) {
  for (auto at = javascript.find(kTokenKey); at != std::string_view::npos; at = javascript.find(kTokenKey, at + 1)) {
    if (auto token = token_in_window(javascript.substr(at, kTokenWindow))) return token;
  }
  return std::nullopt;
}

std::int64_t json_integer(const json& value, std::int64_t fallback) {
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  if (value.is_number_float()) {
    return static_cast<std::int64_t>(value.get<double>());
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    std::int64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc{} && end == text.data() + text.size()) {
      return number;
    }
  }
  return fallback;
}

std::string json_string(const json& value, std::string fallback) {
  return value.is_string() ? value.get<std::string>() : fallback;
}

const json& member(const json& object, std::string_view key) {
  static const json null_value;
  if (!object.is_object()) {
    return null_value;
  }
  const auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

const json& array_member(const json& object, std::string_view key) {
  static const json empty_array = json::array();
  const auto& value = member(object, key);
  return value.is_array() ? value : empty_array;
}

namespace {

// SAX reader of a GET /scans/{id} document that keeps the ScanDetails fields: info.status,
// info.uuid, history[].uuid/status and hosts[].scanprogresscurrent/total. Everything else
// is skipped as it streams past.
class ScanDetailsReader final : public json::json_sax_t {
 public:
  explicit ScanDetailsReader(ScanDetails& details) : details_(details) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t value) override { return number(static_cast<double>(value)); }
  bool number_unsigned(number_unsigned_t value) override { return number(static_cast<double>(value)); }
  bool number_float(number_float_t value, const string_t&) override { return number(value); }
  bool binary(binary_t&) override { return true; }

  bool string(string_t& value) override {
    if (in({"info"})) {
      if (key_ == "status") details_.status = value;
      if (key_ == "uuid") details_.uuid = value;
    } else if (in({"history", "[]"}) && !details_.history.empty()) {
      if (key_ == "status") details_.history.back().status = value;
      if (key_ == "uuid") details_.history.back().uuid = value;
    } else if (in({"hosts", "[]"})) {
      double parsed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec == std::errc{} && end == value.data() + value.size()) {
        return number(parsed);
      }
    }
    return true;
  }

  bool start_object(std::size_t) override {
    if (in({"history"})) details_.history.emplace_back();
    if (in({"hosts"})) ++details_.hosts;
    open(false);
    return true;
  }
  bool start_array(std::size_t) override {
    open(true);
    return true;
  }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& value) override {
    key_ = value;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  struct Frame {
    bool array;
    std::string name;  // the key the container sits under, "[]" inside an array, "" for the root
  };

  // The name a value opened now sits under.
  std::string slot() const { return !frames_.empty() && frames_.back().array ? "[]" : key_; }

  void open(bool array) {
    frames_.push_back(Frame{array, frames_.empty() ? std::string() : slot()});
    key_.clear();
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  // True when the innermost open container is at root.<path...>.
  bool in(std::initializer_list<std::string_view> path) const {
    if (frames_.size() != path.size() + 1 || frames_.front().array) return false;
    std::size_t index = 1;
    for (const auto name : path) {
      if (frames_[index++].name != name) return false;
    }
    return true;
  }

  bool number(double value) {
    if (in({"hosts", "[]"})) {
      if (key_ == "scanprogresscurrent") details_.progress_current += value;
      if (key_ == "scanprogresstotal") details_.progress_total += value;
    }
    return true;
  }

  ScanDetails& details_;
  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

namespace {

// SAX reader of a GET /scans document that keeps, of each object in the root's `scans`
// array, the fields of ScanListEntry; read with json_integer and json_string as a parsed
// document would be (a later duplicate key wins, a container value counts as absent).
class ScanListReader final : public json::json_sax_t {
 public:
  explicit ScanListReader(std::vector<ScanListEntry>& entries) : entries_(entries) {}

  bool null() override { return value(json()); }
  bool boolean(bool flag) override { return value(json(flag)); }
  bool number_integer(number_integer_t number) override { return value(json(number)); }
  bool number_unsigned(number_unsigned_t number) override { return value(json(number)); }
  bool number_float(number_float_t number, const string_t&) override { return value(json(number)); }
  bool binary(binary_t&) override { return value(json()); }
  bool string(string_t& text) override { return value(json(std::move(text))); }

  bool key(string_t& name) override {
    key_ = std::move(name);
    if (depth_ == 1 && key_ == "scans") entries_.clear();  // the last "scans" wins
    return true;
  }
  bool start_object(std::size_t) override {
    value(json());  // a container where a field was expected: the field is absent
    if (in_scans_ && depth_ == 2) {
      entry_ = ScanListEntry{};
      in_entry_ = true;
    }
    ++depth_;
    key_.clear();
    return true;
  }
  bool start_array(std::size_t) override {
    value(json());
    if (depth_ == 1 && key_ == "scans") in_scans_ = true;
    ++depth_;
    key_.clear();
    return true;
  }
  bool end_object() override {
    --depth_;
    if (in_entry_ && depth_ == 2) {
      in_entry_ = false;
      if (entry_.id > 0) entries_.push_back(std::move(entry_));
    }
    return true;
  }
  bool end_array() override {
    --depth_;
    if (depth_ == 1) in_scans_ = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  // A value under key_ at the current depth; only a scan's own fields are kept.
  bool value(const json& field) {
    if (!in_entry_ || depth_ != 3) return true;
    if (key_ == "id") entry_.id = json_integer(field);
    if (key_ == "name") entry_.name = json_string(field);
    if (key_ == "status") entry_.status = json_string(field);
    if (key_ == "uuid") entry_.uuid = json_string(field);
    if (key_ == "folder_id") entry_.folder_id = json_integer(field);
    if (key_ == "creation_date") entry_.creation_date = json_integer(field);
    if (key_ == "last_modification_date") entry_.last_modification_date = json_integer(field);
    return true;
  }

  std::vector<ScanListEntry>& entries_;
  int depth_ = 0;          // containers open
  bool in_scans_ = false;  // inside the root's "scans" array
  bool in_entry_ = false;  // inside one of its objects
  ScanListEntry entry_;
  std::string key_;
};

}  // namespace

std::optional<std::vector<ScanListEntry>> parse_scan_list(std::string_view document) {
  std::vector<ScanListEntry> entries;
  ScanListReader reader(entries);
  if (!json::sax_parse(document, &reader)) {
    return std::nullopt;
  }
  return entries;
}

std::optional<ScanDetails> parse_scan_details(std::string_view document) {
  ScanDetails details;
  ScanDetailsReader reader(details);
  if (!json::sax_parse(document, &reader)) {
    return std::nullopt;
  }
  return details;
}

RunState run_state_of(const ScanDetails& details, std::string_view run_uuid) {
  RunState state;
  state.status = details.status;
  state.progress = details.progress_total > 0
                       ? std::clamp(100.0 * details.progress_current / details.progress_total, 0.0, 100.0)
                       : 0.0;
  state.hosts = details.hosts;
  if (run_uuid.empty()) {
    return state;
  }
  if (details.uuid == run_uuid) {
    state.run_found = true;
    return state;
  }
  for (const auto& entry : details.history) {
    if (entry.uuid == run_uuid) {
      if (!entry.status.empty()) state.status = entry.status;
      state.run_found = true;
      return state;
    }
  }
  return state;
}

std::string current_run_uuid_of(const ScanDetails& details) {
  if (parse_run_status(details.status) == RunStatus::empty || details.uuid.starts_with("template-")) {
    return {};
  }
  return details.uuid;
}

std::optional<std::int64_t> folder_id_of_type(const json& folders_document, std::string_view type) {
  for (const auto& folder : array_member(folders_document, "folders")) {
    const auto id = json_integer(member(folder, "id"));
    if (json_string(member(folder, "type")) == type && id > 0) {
      return id;
    }
  }
  return std::nullopt;
}

std::optional<std::string> template_uuid(const json& templates_document, std::string_view name) {
  for (const auto& entry : array_member(templates_document, "templates")) {
    const auto uuid = json_string(member(entry, "uuid"));
    if (!uuid.empty() &&
        (json_string(member(entry, "name")) == name || iequals(json_string(member(entry, "title")), name))) {
      return uuid;
    }
  }
  for (const auto& known : kKnownTemplates) {
    if (known.name == name) {
      return std::string(known.uuid);
    }
  }
  return std::nullopt;
}

json create_scan_body(const NewScan& scan, const std::string& uuid, std::int64_t folder_id) {
  json body = {
      {"uuid", uuid},
      {"settings",
       {{"name", scan.name},
        {"description", scan.description},
        {"text_targets", scan.targets},
        {"enabled", false},
        {"launch_now", false},
        {"folder_id", folder_id}}},
  };
  if (scan.ssh) {
    const auto& ssh = *scan.ssh;
    json credential = {{"auth_method", ssh.auth_method}, {"username", ssh.username},
                       {"password", ssh.password},       {"elevate_privileges_with", ssh.elevate_privileges_with},
                       {"custom_password_prompt", ""},   {"target_priority_list", ""}};
    if (!ssh.escalation_account.empty()) {
      credential["escalation_account"] = ssh.escalation_account;
    }
    if (!ssh.escalation_password.empty()) {
      credential["escalation_password"] = ssh.escalation_password;
    }
    body["credentials"] = {
        {"add", {{"Host", {{"SSH", json::array({credential})}}}}}, {"edit", json::object()}, {"delete", json::array()}};
  }
  return body;
}

core::ErrorKind error_kind_for_status(int status) {
  switch (status) {
    case 401:
      return core::ErrorKind::auth;
    case 404:
      return core::ErrorKind::not_found;
    case 409:
      return core::ErrorKind::conflict;
    case 412:
      return core::ErrorKind::api_disabled;
    default:
      return status >= 500 ? core::ErrorKind::server : core::ErrorKind::client;
  }
}

std::string error_text(std::string_view body) {
  const auto parsed = core::json_nesting_exceeds(body) ? json(nullptr) : json::parse(body, nullptr, false);
  if (!parsed.is_discarded()) {
    const auto& error = member(parsed, "error");
    if (error.is_string()) {
      return core::escape_control_characters(
          core::redacted_excerpt(error.get_ref<const std::string&>(), kErrorExcerpt));
    }
  }
  return core::escape_control_characters(core::redacted_excerpt(body, kErrorExcerpt));
}

std::string normalize_fingerprint(std::string_view fingerprint) {
  std::string hex;
  for (const char c : fingerprint) {
    if (c == ':' || c == ' ') {
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return {};
    }
    hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return hex.size() == 64 ? hex : std::string{};
}

bool fingerprint_matches(std::string_view pinned, std::string_view actual_hex) {
  const auto expected = normalize_fingerprint(pinned);
  return !expected.empty() && expected == normalize_fingerprint(actual_hex);
}

std::string endpoint_label(std::string_view method, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  std::string label(method);
  label += ' ';
  std::size_t start = 0;
  while (start < path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view segment = path.substr(start, end - start);
    const bool numeric = !segment.empty() && segment.find_first_not_of("0123456789") == std::string_view::npos;
    const bool token =
        segment.size() >= 32 && segment.find_first_not_of("0123456789abcdefABCDEF-") == std::string_view::npos;
    label += numeric ? "{id}" : token ? "{token}" : std::string(segment);
    if (slash == std::string_view::npos) break;
    label += '/';
    start = slash + 1;
  }
  return label;
}

}  // namespace sw::nessus
