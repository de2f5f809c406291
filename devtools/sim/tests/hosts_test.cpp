// Tests of target expansion.
#include "sim/hosts.hpp"

#include <gtest/gtest.h>

namespace sw::sim {
namespace {

TEST(ExpandTargets, SplitsOnCommasSpacesAndNewlines) {
  const auto hosts = expand_targets("10.0.0.5, web.example\n10.0.0.9  db");
  ASSERT_EQ(hosts.size(), 4U);
  EXPECT_EQ(hosts[0].name, "10.0.0.5");
  EXPECT_EQ(hosts[0].ip, "10.0.0.5");
  EXPECT_EQ(hosts[1].name, "web.example");
  EXPECT_EQ(hosts[1].ip, "10.254.0.1");
  EXPECT_EQ(hosts[2].name, "10.0.0.9");
  EXPECT_EQ(hosts[3].ip, "10.254.0.2");
}

TEST(ExpandTargets, ExpandsCidrsWithoutNetworkAndBroadcast) {
  const auto hosts = expand_targets("192.168.1.0/30");
  ASSERT_EQ(hosts.size(), 2U);
  EXPECT_EQ(hosts[0].ip, "192.168.1.1");
  EXPECT_EQ(hosts[1].ip, "192.168.1.2");
  EXPECT_EQ(expand_targets("10.1.2.3/32").size(), 1U);
  EXPECT_EQ(expand_targets("10.1.2.0/31").size(), 2U);
  EXPECT_EQ(expand_targets("10.1.0.0/24").size(), 254U);
}

TEST(ExpandTargets, Ipv6AddressesAndCidrsAreAddressesNotNames) {
  auto hosts = expand_targets("2001:db8::1, 2001:db8::/120");
  ASSERT_EQ(hosts.size(), 1U + 255U);
  EXPECT_EQ(hosts[0].name, "2001:db8::1");
  EXPECT_EQ(hosts[0].ip, "2001:db8::1");
  EXPECT_EQ(hosts[1].ip, "2001:db8::1");
  EXPECT_EQ(hosts[255].ip, "2001:db8::ff");
  hosts = expand_targets("2001:db8::1:ffff/127");
  ASSERT_EQ(hosts.size(), 2U);
  EXPECT_EQ(hosts[0].ip, "2001:db8::1:fffe");
  EXPECT_EQ(hosts[1].ip, "2001:db8::1:ffff");
  EXPECT_EQ(expand_targets("2001:db8::/64").size(), 256U);  // cidr_cap
  EXPECT_EQ(expand_targets("not:an:address").front().ip, "10.254.0.1");
}

TEST(ExpandTargets, CapsLargeCidrs) {
  EXPECT_EQ(expand_targets("10.0.0.0/8").size(), 256U);
  EXPECT_EQ(expand_targets("10.0.0.0/16", TargetExpansion{1, 10}).size(), 10U);
}

TEST(ExpandTargets, MultipliesEntriesWhenAsked) {
  const auto hosts = expand_targets("10.0.0.1,app", TargetExpansion{3, 256});
  ASSERT_EQ(hosts.size(), 6U);
  EXPECT_EQ(hosts[2].ip, "10.0.0.3");
  EXPECT_EQ(hosts[3].name, "app");
  EXPECT_EQ(hosts[5].name, "app-2");
}

TEST(ExpandTargets, KeepsMalformedEntriesAsNames) {
  const auto hosts = expand_targets("10.0.0.300,10.0.0.0/40");
  ASSERT_EQ(hosts.size(), 2U);
  EXPECT_EQ(hosts[0].name, "10.0.0.300");
  EXPECT_EQ(hosts[1].name, "10.0.0.0/40");
  EXPECT_TRUE(expand_targets(" , \n").empty());
}

}  // namespace
}  // namespace sw::sim
