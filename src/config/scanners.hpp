// scanners.yaml as typed configuration (docs/contracts.md#scannersyaml): pools of Nessus scanners.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sw::config {

// How the scanner's X-API-Token (needed by scan_api:false editions) is obtained.
enum class ApiTokenMode { none, auto_fetch, fixed };

struct ScannerConfig {
  std::string pool;         // the pool (top-level key) it belongs to
  std::string instance_id;  // unique within the pool
  std::string name;
  std::string url;       // e.g. https://nessus:8834 (no trailing slash)
  std::string username;  // session login, or empty with API keys
  std::string password;
  std::string access_key;  // API keys instead of a login
  std::string secret_key;
  bool enabled = true;
  int max_concurrent_scans = 2;
  int max_connections = 4;             // API requests to this scanner at once, per worker; more wait their turn
  bool verify_ssl = false;             // the Python worker did not verify
  std::string ca_file;                 // verify against this CA bundle instead of the system store
  std::string tls_fingerprint_sha256;  // pin: SHA-256 of the leaf certificate, normalised to 64
                                       // lower-case hex digits (the file may use colons)
  ApiTokenMode api_token_mode = ApiTokenMode::auto_fetch;
  std::string api_token;  // when api_token_mode == fixed

  bool uses_api_keys() const { return !access_key.empty(); }
};

struct PoolConfig {
  std::string name;
  std::vector<ScannerConfig> scanners;  // enabled scanners only

  int capacity() const;  // sum of max_concurrent_scans
  const ScannerConfig* find(const std::string& instance_id) const;
};

struct ScannersConfig {
  std::filesystem::path source;
  std::map<std::string, PoolConfig> pools;  // by pool name; only pools named nessus*

  const PoolConfig* find_pool(const std::string& name) const;
  const ScannerConfig* find_scanner(const std::string& pool, const std::string& instance_id) const;
};

// Loads and checks the file. ${VAR} and ${VAR:-default} are expanded anywhere in a value
// from `environment` (the process environment when null). Throws core::Error(bad_input)
// whose message names the file, the line and the key.
ScannersConfig load_scanners_config(const std::filesystem::path& path,
                                    const std::map<std::string, std::string>* environment = nullptr);

// The same from text (for tests and validation); `source_name` is used in messages.
ScannersConfig parse_scanners_config(const std::string& yaml_text, const std::string& source_name,
                                     const std::map<std::string, std::string>* environment = nullptr);

}  // namespace sw::config
