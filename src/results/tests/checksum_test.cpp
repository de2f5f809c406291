// detail::Checksum: the same value however the bytes are fed, and a different one for a
// changed byte in any lane, a longer run of zeros or a shorter input.
#include "results/checksum.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sw::results::detail {
namespace {

std::uint64_t checksum_of(std::string_view bytes) {
  Checksum checksum;
  checksum.update(bytes);
  return checksum.value();
}

std::string sample_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + 7) % 251);
  return bytes;
}

TEST(Checksum, FedInPiecesOfAnySizeItIsTheSameAsWhole) {
  const std::string bytes = sample_bytes(1000);
  const std::uint64_t whole = checksum_of(bytes);
  for (std::size_t piece : {1, 3, 7, 8, 31, 32, 33, 100, 999}) {
    Checksum checksum;
    for (std::size_t at = 0; at < bytes.size(); at += piece) checksum.update(std::string_view(bytes).substr(at, piece));
    EXPECT_EQ(checksum.value(), whole) << "pieces of " << piece;
  }
}

TEST(Checksum, AChangedByteAnywhereChangesIt) {
  const std::string bytes = sample_bytes(97);
  std::set<std::uint64_t> values{checksum_of(bytes)};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    values.insert(checksum_of(changed));
  }
  EXPECT_EQ(values.size(), bytes.size() + 1);
}

TEST(Checksum, TrailingZerosAndLengthCount) {
  std::set<std::uint64_t> values;
  for (std::size_t zeros = 0; zeros <= 40; ++zeros) values.insert(checksum_of(std::string(zeros, '\0')));
  EXPECT_EQ(values.size(), 41u);
  EXPECT_NE(checksum_of("abcdefgh"), checksum_of("efghabcd"));
}

}  // namespace
}  // namespace sw::results::detail
