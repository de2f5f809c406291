// Scan targets as producers write them ("192.168.1.0/24, host.example, 10.0.0.1-20") and
// the CIDR-aware overlap test behind the task list's target filter.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sw::store {

// An inclusive range of IPv4 addresses (a single address, a CIDR block or a range).
struct Ipv4Range {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  bool operator==(const Ipv4Range&) const = default;
};

// An inclusive range of IPv6 addresses (a single address or a CIDR block), in network order.
struct Ipv6Range {
  std::array<std::uint8_t, 16> first{};
  std::array<std::uint8_t, 16> last{};
  bool operator==(const Ipv6Range&) const = default;
};

// A host name, lower case, without a trailing dot.
struct HostName {
  std::string name;
  bool operator==(const HostName&) const = default;
};

using Target = std::variant<Ipv4Range, Ipv6Range, HostName>;

// One target: "10.0.0.5", "10.0.0.0/24", "10.0.0.1-10.0.0.9", "10.0.0.1-9", "2001:db8::1",
// "2001:db8::/120" or a host name. nullopt when the token looks like an address but is not
// one ("10.0.0.300", "10.0.0.0/33", "10.0.0.9-1", "2001:db8::/129"); a token with a ':' is
// always an IPv6 address, never a host name.
std::optional<Target> parse_target(std::string_view token);

// Targets separated by commas, blanks or newlines. Throws core::Error(bad_input) naming the
// first token that is not a valid target.
std::vector<Target> parse_targets(std::string_view text);

bool targets_overlap(const Target& a, const Target& b);

// True when any target of `query` overlaps any target of `task_targets`: 10.0.0.5 matches a
// task with 10.0.0.0/24, a query subnet matches the tasks it overlaps, host names compare
// case-insensitively. Bad tokens in `task_targets` are ignored; a bad `query` throws.
bool targets_overlap(std::string_view query, std::string_view task_targets);
bool targets_overlap(const std::vector<Target>& query, std::string_view task_targets);

}  // namespace sw::store
