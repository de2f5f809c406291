// Expansion of a scan's target text into the hosts the simulator "scans": comma, newline or
// space separated entries; an IPv4 or IPv6 CIDR becomes its hosts (capped); IPv6 addresses
// are addresses; names stay names.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sw::sim {

struct SimHost {
  std::string name;  // as scanned: the IP, or the host name
  std::string ip;    // the IP (made up for host names: 10.254.x.y)
};

struct TargetExpansion {
  int hosts_per_target = 1;    // each entry stands for this many hosts (benchmarks)
  std::size_t cidr_cap = 256;  // at most this many hosts per CIDR
};

std::vector<SimHost> expand_targets(const std::string& text, const TargetExpansion& expansion = {});

}  // namespace sw::sim
