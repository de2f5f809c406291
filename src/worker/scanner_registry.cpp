// Scanner clients by pool and instance, rebuilt on reload.
#include "worker/scanner_registry.hpp"

namespace sw::worker {

bool same_connection(const config::ScannerConfig& a, const config::ScannerConfig& b) {
  return a.url == b.url && a.username == b.username && a.password == b.password && a.access_key == b.access_key &&
         a.secret_key == b.secret_key && a.verify_ssl == b.verify_ssl && a.ca_file == b.ca_file &&
         a.tls_fingerprint_sha256 == b.tls_fingerprint_sha256 && a.api_token_mode == b.api_token_mode &&
         a.api_token == b.api_token && a.max_connections == b.max_connections;
}

ScannerRegistry::ScannerRegistry(config::ScannersConfig config, ClientFactory factory) : factory_(std::move(factory)) {
  apply(std::move(config));
}

std::string ScannerRegistry::apply(config::ScannersConfig config) {
  std::map<Key, Entry> next;
  std::string added, removed, kept;
  for (const auto& [pool_name, pool] : config.pools) {
    for (const auto& scanner : pool.scanners) {
      const Key key{pool_name, scanner.instance_id};
      const auto old = entries_.find(key);
      const std::string label = pool_name + "/" + scanner.instance_id;
      if (old != entries_.end() && same_connection(old->second.config, scanner)) {
        next.emplace(key, Entry{scanner, old->second.client});
        kept += (kept.empty() ? "" : ", ") + label;
      } else {
        next.emplace(key, Entry{scanner, factory_(scanner)});
        added += (added.empty() ? "" : ", ") + label;
      }
    }
  }
  for (const auto& [key, entry] : entries_) {
    if (!next.contains(key)) {
      removed += (removed.empty() ? "" : ", ") + key.first + "/" + key.second;
    }
  }
  entries_ = std::move(next);
  config_ = std::move(config);
  return "new or changed: [" + added + "], removed: [" + removed + "], unchanged: [" + kept + "]";
}

std::vector<std::string> ScannerRegistry::pool_names() const {
  std::vector<std::string> names;
  for (const auto& [name, pool] : config_.pools) {
    names.push_back(name);
  }
  return names;
}

std::vector<queue::ScannerSlot> ScannerRegistry::slots(const std::string& pool) const {
  std::vector<queue::ScannerSlot> result;
  if (const auto* p = config_.find_pool(pool)) {
    for (const auto& scanner : p->scanners) {
      result.push_back(queue::ScannerSlot{scanner.instance_id, scanner.max_concurrent_scans});
    }
  }
  return result;
}

int ScannerRegistry::pool_capacity(const std::string& pool) const {
  const auto* p = config_.find_pool(pool);
  return p == nullptr ? 0 : p->capacity();
}

std::shared_ptr<nessus::ScannerApi> ScannerRegistry::client(const std::string& pool,
                                                            const std::string& instance_id) const {
  const auto it = entries_.find(Key{pool, instance_id});
  return it == entries_.end() ? nullptr : it->second.client;
}

std::vector<std::pair<config::ScannerConfig, std::shared_ptr<nessus::ScannerApi>>> ScannerRegistry::all() const {
  std::vector<std::pair<config::ScannerConfig, std::shared_ptr<nessus::ScannerApi>>> result;
  for (const auto& [key, entry] : entries_) {
    result.emplace_back(entry.config, entry.client);
  }
  return result;
}

}  // namespace sw::worker
