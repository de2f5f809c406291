// scanners.yaml: parsing with yaml-cpp, ${VAR} expansion and the checks of docs/contracts.md#scannersyaml.
#include "config/scanners.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

#include "config/values.hpp"
#include "config/variables.hpp"
#include "core/errors.hpp"
#include "telemetry/log.hpp"

namespace sw::config {

namespace {

constexpr std::array<std::string_view, 14> kScannerKeys = {"instance_id",
                                                           "name",
                                                           "url",
                                                           "username",
                                                           "password",
                                                           "enabled",
                                                           "max_concurrent_scans",
                                                           "max_connections",
                                                           "access_key",
                                                           "secret_key",
                                                           "verify_ssl",
                                                           "ca_file",
                                                           "tls_fingerprint_sha256",
                                                           "api_token"};

bool is_known_key(std::string_view key) {
  return std::find(kScannerKeys.begin(), kScannerKeys.end(), key) != kScannerKeys.end();
}

int line_of(const YAML::Mark& mark) { return mark.line + 1; }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "ab:CD:..." -> 64 lower-case hex digits, or empty when it is not a SHA-256 digest.
std::string normalised_fingerprint(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c == ':') {
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return {};
    }
    digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return digits.size() == 64 ? digits : std::string();
}

// One scanner entry: its key and value nodes by key name, and where it is.
struct ScannerEntry {
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> fields;
  YAML::Mark mark;
  std::string context;  // "(pool nessus, scanner 2)"
};

class ScannersParser {
 public:
  ScannersParser(const std::string& source_name, const std::map<std::string, std::string>* environment)
      : source_(source_name), environment_(environment) {}

  ScannersConfig parse(const YAML::Node& root) {
    ScannersConfig config;
    config.source = source_;
    if (!root || root.IsNull()) {
      return config;
    }
    if (!root.IsMap()) {
      fail(root.Mark(), "the top level must be a map of pool names to lists of scanners");
    }
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (!it->first.IsScalar()) {
        fail(it->first.Mark(), "a pool name must be a plain name");
      }
      const std::string pool_name = it->first.Scalar();
      if (pool_name.rfind("nessus", 0) != 0) {
        telemetry::log_warning("scanner pool is not a Nessus pool (name does not start with 'nessus'); ignored",
                               {{"pool", pool_name}, {"file", source_}});
        continue;
      }
      if (config.pools.count(pool_name) != 0) {
        fail(it->first.Mark(), "pool '" + pool_name + "' is defined twice");
      }
      config.pools.emplace(pool_name, parse_pool(pool_name, it->second));
    }
    return config;
  }

 private:
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& what, const std::string& context = {}) const {
    std::string message = source_ + ":" + std::to_string(line_of(mark)) + ": " + what;
    if (!context.empty()) {
      message += " " + context;
    }
    throw core::Error(core::ErrorKind::bad_input, message);
  }

  PoolConfig parse_pool(const std::string& pool_name, const YAML::Node& node) {
    PoolConfig pool;
    pool.name = pool_name;
    if (node.IsNull()) {
      return pool;
    }
    if (!node.IsSequence()) {
      fail(node.Mark(), "pool '" + pool_name + "' must be a list of scanners");
    }
    std::set<std::string> instance_ids;
    for (std::size_t index = 0; index < node.size(); ++index) {
      const YAML::Node item = node[index];
      const ScannerEntry entry = collect(pool_name, index + 1, item);
      auto scanner = parse_scanner(pool_name, entry);
      if (!scanner) {
        continue;
      }
      if (!instance_ids.insert(scanner->instance_id).second) {
        fail(entry.fields.at("instance_id").second.Mark(),
             "key 'instance_id' repeats '" + scanner->instance_id + "', already used in this pool", entry.context);
      }
      pool.scanners.push_back(std::move(*scanner));
    }
    return pool;
  }

  ScannerEntry collect(const std::string& pool_name, std::size_t number, const YAML::Node& item) const {
    ScannerEntry entry;
    entry.mark = item.Mark();
    entry.context = "(pool " + pool_name + ", scanner " + std::to_string(number) + ")";
    if (!item.IsMap()) {
      fail(item.Mark(), "a scanner must be a map of keys", entry.context);
    }
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (!it->first.IsScalar()) {
        fail(it->first.Mark(), "a key must be a plain name", entry.context);
      }
      const std::string key = it->first.Scalar();
      if (!is_known_key(key)) {
        fail(it->first.Mark(), "key '" + key + "' is unknown", entry.context);
      }
      if (!entry.fields.emplace(key, std::make_pair(it->first, it->second)).second) {
        fail(it->first.Mark(), "key '" + key + "' appears twice", entry.context);
      }
    }
    return entry;
  }

  // The expanded text of a key's value; nullopt when the key is absent or null.
  std::optional<std::string> text(const ScannerEntry& entry, const std::string& key) const {
    const auto it = entry.fields.find(key);
    if (it == entry.fields.end() || it->second.second.IsNull()) {
      return std::nullopt;
    }
    const YAML::Node& value = it->second.second;
    if (!value.IsScalar()) {
      fail(value.Mark(), "key '" + key + "' must be a single value, not a list or a map", entry.context);
    }
    try {
      return expand_variables(value.Scalar(), environment_);
    } catch (const core::Error& error) {
      fail(value.Mark(), "key '" + key + "': " + error.what(), entry.context);
    }
  }

  std::string string_value(const ScannerEntry& entry, const std::string& key) const {
    return text(entry, key).value_or(std::string());
  }

  // Where a key's value is (or the scanner when the key is absent), for messages.
  YAML::Mark mark_of(const ScannerEntry& entry, const std::string& key) const {
    const auto it = entry.fields.find(key);
    return it == entry.fields.end() ? entry.mark : it->second.second.Mark();
  }

  bool bool_value(const ScannerEntry& entry, const std::string& key, bool fallback) const {
    const auto value = text(entry, key);
    if (!value || value->empty()) {
      return fallback;
    }
    const auto parsed = parse_bool(*value);
    if (!parsed) {
      fail(mark_of(entry, key), "key '" + key + "' must be true or false, not '" + *value + "'", entry.context);
    }
    return *parsed;
  }

  // A whole number from 1 to 10000, or `fallback` when the key is absent or empty.
  int count_value(const ScannerEntry& entry, const std::string& key, int fallback) const {
    const auto value = text(entry, key);
    if (!value || value->empty()) {
      return fallback;
    }
    const auto parsed = parse_integer(*value);
    if (!parsed || *parsed < 1 || *parsed > 10000) {
      fail(mark_of(entry, key), "key '" + key + "' must be a whole number from 1 to 10000, not '" + *value + "'",
           entry.context);
    }
    return static_cast<int>(*parsed);
  }

  std::optional<ScannerConfig> parse_scanner(const std::string& pool_name, const ScannerEntry& entry) const {
    ScannerConfig scanner;
    scanner.pool = pool_name;
    scanner.enabled = bool_value(entry, "enabled", true);
    if (!scanner.enabled) {
      return std::nullopt;
    }
    scanner.instance_id = string_value(entry, "instance_id");
    if (scanner.instance_id.empty()) {
      fail(mark_of(entry, "instance_id"), "key 'instance_id' is missing or empty", entry.context);
    }
    scanner.name = string_value(entry, "name");
    if (scanner.name.empty()) {
      scanner.name = scanner.instance_id;
    }
    scanner.url = string_value(entry, "url");
    if (scanner.url.empty()) {
      fail(mark_of(entry, "url"), "key 'url' is missing or empty", entry.context);
    }
    if (scanner.url.rfind("https://", 0) != 0 && scanner.url.rfind("http://", 0) != 0) {
      fail(mark_of(entry, "url"), "key 'url' must start with https:// or http://", entry.context);
    }
    while (scanner.url.back() == '/') {
      scanner.url.pop_back();
    }
    scanner.username = string_value(entry, "username");
    scanner.password = string_value(entry, "password");
    scanner.access_key = string_value(entry, "access_key");
    scanner.secret_key = string_value(entry, "secret_key");
    check_credentials(entry, scanner);
    scanner.max_concurrent_scans = count_value(entry, "max_concurrent_scans", scanner.max_concurrent_scans);
    scanner.max_connections = count_value(entry, "max_connections", scanner.max_connections);
    scanner.verify_ssl = bool_value(entry, "verify_ssl", false);
    scanner.ca_file = string_value(entry, "ca_file");
    if (const auto pin = string_value(entry, "tls_fingerprint_sha256"); !pin.empty()) {
      scanner.tls_fingerprint_sha256 = normalised_fingerprint(pin);
      if (scanner.tls_fingerprint_sha256.empty()) {
        fail(mark_of(entry, "tls_fingerprint_sha256"),
             "key 'tls_fingerprint_sha256' must be 64 hex digits (colons allowed)", entry.context);
      }
    }
    const std::string token = string_value(entry, "api_token");
    const std::string token_word = lower(token);
    if (token.empty() || token_word == "auto") {
      scanner.api_token_mode = ApiTokenMode::auto_fetch;
    } else if (token_word == "none") {
      scanner.api_token_mode = ApiTokenMode::none;
    } else {
      scanner.api_token_mode = ApiTokenMode::fixed;
      scanner.api_token = token;
    }
    return scanner;
  }

  void check_credentials(const ScannerEntry& entry, const ScannerConfig& scanner) const {
    const auto require_pair = [&](const std::string& present, const std::string& missing, bool has_present,
                                  bool has_missing) {
      if (has_present && !has_missing) {
        fail(mark_of(entry, missing), "key '" + missing + "' is missing or empty while '" + present + "' is set",
             entry.context);
      }
    };
    require_pair("username", "password", !scanner.username.empty(), !scanner.password.empty());
    require_pair("password", "username", !scanner.password.empty(), !scanner.username.empty());
    require_pair("access_key", "secret_key", !scanner.access_key.empty(), !scanner.secret_key.empty());
    require_pair("secret_key", "access_key", !scanner.secret_key.empty(), !scanner.access_key.empty());
    if (scanner.username.empty() && scanner.access_key.empty()) {
      fail(entry.mark, "keys 'username'+'password' or 'access_key'+'secret_key' are required", entry.context);
    }
  }

  std::string source_;
  const std::map<std::string, std::string>* environment_;
};

}  // namespace

int PoolConfig::capacity() const {
  return std::accumulate(scanners.begin(), scanners.end(), 0,
                         [](int sum, const ScannerConfig& s) { return sum + s.max_concurrent_scans; });
}

const ScannerConfig* PoolConfig::find(const std::string& instance_id) const {
  const auto it = std::find_if(scanners.begin(), scanners.end(),
                               [&](const ScannerConfig& s) { return s.instance_id == instance_id; });
  return it == scanners.end() ? nullptr : &*it;
}

const PoolConfig* ScannersConfig::find_pool(const std::string& name) const {
  const auto it = pools.find(name);
  return it == pools.end() ? nullptr : &it->second;
}

const ScannerConfig* ScannersConfig::find_scanner(const std::string& pool, const std::string& instance_id) const {
  const PoolConfig* found = find_pool(pool);
  return found == nullptr ? nullptr : found->find(instance_id);
}

ScannersConfig parse_scanners_config(const std::string& yaml_text, const std::string& source_name,
                                     const std::map<std::string, std::string>* environment) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    throw core::Error(core::ErrorKind::bad_input,
                      source_name + ":" + std::to_string(line_of(error.mark)) + ": not valid YAML: " + error.msg);
  }
  return ScannersParser(source_name, environment).parse(root);
}

ScannersConfig load_scanners_config(const std::filesystem::path& path,
                                    const std::map<std::string, std::string>* environment) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw core::Error(core::ErrorKind::bad_input, path.string() + ": cannot be read");
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    throw core::Error(core::ErrorKind::bad_input, path.string() + ": read error");
  }
  ScannersConfig config = parse_scanners_config(text.str(), path.string(), environment);
  config.source = path;
  return config;
}

}  // namespace sw::config
