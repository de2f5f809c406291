// A fast 64-bit checksum (8-byte words, multiply-rotate) for telling a whole results
// index or an unchanged export apart from a damaged or replaced one; not cryptographic.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace sw::results::detail {

class Checksum {
 public:
  void update(std::string_view bytes) {
    std::size_t i = 0;
    while (pending_size_ > 0 && pending_size_ < 8 && i < bytes.size()) pending_[pending_size_++] = bytes[i++];
    if (pending_size_ == 8) {
      mix(word(pending_));
      pending_size_ = 0;
    }
    for (; i + 8 <= bytes.size(); i += 8) mix(word(bytes.data() + i));
    while (i < bytes.size()) pending_[pending_size_++] = bytes[i++];
    total_ += bytes.size();
  }

  std::uint64_t value() const {
    Checksum copy = *this;
    std::memset(copy.pending_ + copy.pending_size_, 0, 8 - copy.pending_size_);
    copy.mix(word(copy.pending_) ^ total_);
    std::uint64_t h = copy.state_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }

 private:
  static std::uint64_t word(const char* p) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    return w;
  }
  void mix(std::uint64_t w) {
    const std::uint64_t x = state_ ^ (w * 0x9e3779b97f4a7c15ULL);
    state_ = ((x << 31) | (x >> 33)) * 0xc2b2ae3d27d4eb4fULL;
  }

  std::uint64_t state_ = 0x27d4eb2f165667c5ULL;
  std::uint64_t total_ = 0;
  char pending_[8] = {};
  std::size_t pending_size_ = 0;
};

}  // namespace sw::results::detail
