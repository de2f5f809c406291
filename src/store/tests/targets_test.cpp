// Tests of target parsing and the CIDR-aware overlap test.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "store/targets.hpp"

namespace sw::store {
namespace {

constexpr std::uint32_t ip(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

TEST(ParseTarget, AddressesBlocksRangesAndHostNames) {
  EXPECT_EQ(parse_target("10.0.0.5"), Target(Ipv4Range{ip(10, 0, 0, 5), ip(10, 0, 0, 5)}));
  EXPECT_EQ(parse_target("10.0.0.0/24"), Target(Ipv4Range{ip(10, 0, 0, 0), ip(10, 0, 0, 255)}));
  EXPECT_EQ(parse_target("10.0.0.77/24"), Target(Ipv4Range{ip(10, 0, 0, 0), ip(10, 0, 0, 255)}));
  EXPECT_EQ(parse_target("0.0.0.0/0"), Target(Ipv4Range{0, 0xFFFFFFFFu}));
  EXPECT_EQ(parse_target("10.0.0.9/32"), Target(Ipv4Range{ip(10, 0, 0, 9), ip(10, 0, 0, 9)}));
  EXPECT_EQ(parse_target("10.0.0.1-10.0.1.9"), Target(Ipv4Range{ip(10, 0, 0, 1), ip(10, 0, 1, 9)}));
  EXPECT_EQ(parse_target("10.0.0.1-20"), Target(Ipv4Range{ip(10, 0, 0, 1), ip(10, 0, 0, 20)}));
  EXPECT_EQ(parse_target("Host.Example.COM."), Target(HostName{"host.example.com"}));
  EXPECT_EQ(parse_target("1password.com"), Target(HostName{"1password.com"}));
}

TEST(ParseTarget, RejectsMalformedAddresses) {
  for (const char* bad : {"10.0.0.300", "10.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.9-1", "10.0.0.1-300",
                          "10.0.0.1/24-10.0.0.9", "10..0.1", "1.2.3.4.5", "", "."}) {
    EXPECT_EQ(parse_target(bad), std::nullopt) << bad;
  }
}

TEST(ParseTargets, SplitsOnCommasBlanksAndNewlines) {
  const auto targets = parse_targets(" 10.0.0.1,host.example\n10.1.0.0/16 ,\t,  other ");
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[1], Target(HostName{"host.example"}));
  EXPECT_EQ(targets[3], Target(HostName{"other"}));
  EXPECT_TRUE(parse_targets("").empty());
}

TEST(ParseTargets, NamesTheBadToken) {
  try {
    parse_targets("10.0.0.1, 10.0.0.256");
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("10.0.0.256"), std::string::npos);
  }
}

TEST(TargetsOverlap, AddressInsideATaskSubnet) {
  EXPECT_TRUE(targets_overlap("10.0.0.5", "10.0.0.0/24"));
  EXPECT_TRUE(targets_overlap("10.0.0.5", "192.168.1.1, 10.0.0.0/24"));
  EXPECT_FALSE(targets_overlap("10.0.1.5", "10.0.0.0/24"));
  EXPECT_TRUE(targets_overlap("10.0.0.5", "10.0.0.1-9"));
  EXPECT_FALSE(targets_overlap("10.0.0.10", "10.0.0.1-9"));
}

TEST(TargetsOverlap, QuerySubnetMatchesTasksItOverlaps) {
  EXPECT_TRUE(targets_overlap("10.0.0.0/16", "10.0.3.4"));
  EXPECT_TRUE(targets_overlap("10.0.0.0/24", "10.0.0.128/25"));
  EXPECT_TRUE(targets_overlap("10.0.0.128/25", "10.0.0.0/24"));
  EXPECT_TRUE(targets_overlap("10.0.0.0/24", "9.255.255.250-10.0.0.1"));
  EXPECT_FALSE(targets_overlap("10.0.0.0/25", "10.0.0.128/25"));
  EXPECT_FALSE(targets_overlap("10.0.0.0/24", "host.example"));
}

TEST(TargetsOverlap, HostNamesCompareCaseInsensitively) {
  EXPECT_TRUE(targets_overlap("HOST.example", "10.0.0.1, host.EXAMPLE"));
  EXPECT_FALSE(targets_overlap("host.example", "host.example.org"));
}

TEST(TargetsOverlap, BadTaskTokensAreIgnoredButABadQueryThrows) {
  EXPECT_TRUE(targets_overlap("10.0.0.5", "10.0.0.999, 10.0.0.5"));
  EXPECT_FALSE(targets_overlap("10.0.0.5", "10.0.0.999"));
  EXPECT_THROW(targets_overlap("10.0.0.0/40", "10.0.0.5"), core::Error);
}

TEST(ParseTarget, Ipv6AddressesAndBlocksAreAddressesNotHostNames) {
  const auto single = parse_target("2001:db8::1");
  ASSERT_TRUE(single);
  const auto* range = std::get_if<Ipv6Range>(&*single);
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->first, range->last);
  EXPECT_EQ(range->first[0], 0x20);
  EXPECT_EQ(range->first[15], 0x01);
  const auto block = parse_target("2001:db8::77/120");
  ASSERT_TRUE(block);
  EXPECT_EQ(std::get<Ipv6Range>(*block).first[15], 0x00);
  EXPECT_EQ(std::get<Ipv6Range>(*block).last[15], 0xFF);
  EXPECT_EQ(std::get<Ipv6Range>(*block).last[14], 0x00);
  for (const char* bad : {"2001:db8::/129", "2001:db8:::1", "2001:db8::1/", "fe80::1%eth0", "[2001:db8::1]"}) {
    EXPECT_FALSE(parse_target(bad)) << bad;
  }
  EXPECT_THROW(parse_targets("10.0.0.1, 2001:db8::zz"), core::Error);
}

TEST(TargetsOverlap, Ipv6AddressesAndBlocks) {
  EXPECT_TRUE(targets_overlap("2001:db8::1", "2001:db8::/120"));
  EXPECT_TRUE(targets_overlap("2001:db8::/120", "10.0.0.1, 2001:DB8::ff"));
  EXPECT_FALSE(targets_overlap("2001:db8::1:0", "2001:db8::/120"));
  EXPECT_FALSE(targets_overlap("2001:db8::1", "10.0.0.1, host.example"));
  EXPECT_TRUE(targets_overlap("::/0", "2001:db8::5"));
}

}  // namespace
}  // namespace sw::store
