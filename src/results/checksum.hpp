// A fast 64-bit checksum (8-byte words, multiply-rotate) for telling a whole results
// index or an unchanged export apart from a damaged or replaced one; not cryptographic.
// Four independent lanes take the words of each 32-byte block in turn, so that the CPU
// mixes four at once instead of waiting on one chain of multiplications (an index of a
// 250 MB export is checked on every `results` page: 8 MB).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sw::results::detail {

class Checksum {
 public:
  void update(std::string_view bytes) {
    total_ += bytes.size();
    const char* p = bytes.data();
    std::size_t n = bytes.size();
    if (pending_size_ > 0) {
      const std::size_t take = std::min(n, kBlock - pending_size_);
      std::memcpy(pending_.data() + pending_size_, p, take);
      pending_size_ += take;
      p += take;
      n -= take;
      if (pending_size_ < kBlock) return;
      mix_block(pending_.data());
      pending_size_ = 0;
    }
    for (; n >= kBlock; p += kBlock, n -= kBlock) mix_block(p);
    std::memcpy(pending_.data(), p, n);
    pending_size_ = n;
  }

  std::uint64_t value() const {
    Checksum copy = *this;
    std::fill(copy.pending_.begin() + static_cast<std::ptrdiff_t>(copy.pending_size_), copy.pending_.end(), '\0');
    copy.mix_block(copy.pending_.data());
    std::uint64_t h = total_;  // the length tells trailing zero bytes from the padding
    for (const std::uint64_t lane : copy.lanes_) h = mix(h, lane);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }

 private:
  static constexpr std::size_t kLanes = 4;
  static constexpr std::size_t kBlock = 8 * kLanes;

  static std::uint64_t word(const char* p) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    return w;
  }
  static std::uint64_t mix(std::uint64_t state, std::uint64_t w) {
    const std::uint64_t x = state ^ (w * 0x9e3779b97f4a7c15ULL);
    return ((x << 31) | (x >> 33)) * 0xc2b2ae3d27d4eb4fULL;
  }
  void mix_block(const char* block) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) lanes_[lane] = mix(lanes_[lane], word(block + 8 * lane));
  }

  std::array<std::uint64_t, kLanes> lanes_{0x27d4eb2f165667c5ULL, 0x165667b19e3779f9ULL, 0x85ebca77c2b2ae63ULL,
                                           0x9e3779b185ebca87ULL};
  std::uint64_t total_ = 0;
  std::array<char, kBlock> pending_{};
  std::size_t pending_size_ = 0;
};

}  // namespace sw::results::detail
