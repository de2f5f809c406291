// The scanners this worker may use: the current scanners.yaml, one Nessus client per
// scanner, and the capacity slots per pool. A reload (SIGHUP) keeps the clients of
// unchanged scanners, adds new ones, and retires removed ones: they take no new work,
// while the tasks still running on them keep their client alive.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/scanners.hpp"
#include "nessus/scanner_api.hpp"
#include "queue/capacity_leases.hpp"

namespace sw::worker {

using ClientFactory = std::function<std::shared_ptr<nessus::ScannerApi>(const config::ScannerConfig&)>;

class ScannerRegistry {
 public:
  ScannerRegistry(config::ScannersConfig config, ClientFactory factory);

  // Swaps in a new configuration; returns a description of what changed.
  std::string apply(config::ScannersConfig config);

  const config::ScannersConfig& config() const { return config_; }
  std::vector<std::string> pool_names() const;
  std::vector<queue::ScannerSlot> slots(const std::string& pool) const;
  int pool_capacity(const std::string& pool) const;

  // The client of a configured scanner, or nullptr when the pool has no such scanner.
  std::shared_ptr<nessus::ScannerApi> client(const std::string& pool, const std::string& instance_id) const;

  // Every configured scanner with its client (for background jobs).
  std::vector<std::pair<config::ScannerConfig, std::shared_ptr<nessus::ScannerApi>>> all() const;

 private:
  struct Entry {
    config::ScannerConfig config;
    std::shared_ptr<nessus::ScannerApi> client;
  };
  using Key = std::pair<std::string, std::string>;  // pool, instance id

  config::ScannersConfig config_;
  ClientFactory factory_;
  std::map<Key, Entry> entries_;
};

// True when two scanner configurations would need a different client.
bool same_connection(const config::ScannerConfig& a, const config::ScannerConfig& b);

}  // namespace sw::worker
