// The LRU of rendered result pages, with one computation per key at a time.
#include "mcp/results_cache.hpp"

#include <exception>

namespace sw::mcp {

ResultsCache::ResultsCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

std::string ResultsCache::get_or_compute(const std::string& key, const std::function<std::string()>& compute) {
  std::unique_lock lock(mutex_);
  if (const auto found = entries_.find(key); found != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second.position);
    return found->second.text;
  }
  if (const auto running = pending_.find(key); running != pending_.end()) {
    const std::shared_future<std::string> result = running->second;
    lock.unlock();
    return result.get();
  }
  std::promise<std::string> promise;
  pending_.emplace(key, promise.get_future().share());
  lock.unlock();
  std::string text;
  try {
    text = compute();
  } catch (...) {
    promise.set_exception(std::current_exception());
    lock.lock();
    pending_.erase(key);
    throw;
  }
  promise.set_value(text);
  lock.lock();
  pending_.erase(key);
  keep(key, text);
  return text;
}

void ResultsCache::keep(const std::string& key, const std::string& text) {
  if (text.size() > max_bytes_ / 4 || entries_.count(key) != 0) return;
  while (!lru_.empty() && bytes_ + text.size() > max_bytes_) {
    const auto oldest = entries_.find(lru_.back());
    bytes_ -= oldest->second.text.size();
    entries_.erase(oldest);
    lru_.pop_back();
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{text, lru_.begin()});
  bytes_ += text.size();
}

std::size_t ResultsCache::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t ResultsCache::entries() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace sw::mcp
