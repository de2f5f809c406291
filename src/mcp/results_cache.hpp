// Rendered get_scan_results pages of finished tasks, kept in memory. A finished task's export
// never changes, so a page asked for again (by another agent, by the same one, through a
// resource) is served without reading the export again, and concurrent first requests for
// the same page compute it once. Bounded by the bytes of the texts held (least recently used
// out first); a text larger than a quarter of the bound is returned but not kept.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <string>

namespace sw::mcp {

class ResultsCache {
 public:
  explicit ResultsCache(std::size_t max_bytes);

  // The text kept under `key`, else compute()'s (kept when it fits). A caller that asks for
  // a key being computed waits for that computation; an exception of compute() reaches every
  // waiter and nothing is kept.
  std::string get_or_compute(const std::string& key, const std::function<std::string()>& compute);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct Entry {
    std::string text;
    std::list<std::string>::iterator position;  // in lru_
  };

  void keep(const std::string& key, const std::string& text);  // with mutex_ held

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
  std::size_t bytes_ = 0;
  std::map<std::string, std::shared_future<std::string>> pending_;
};

}  // namespace sw::mcp
