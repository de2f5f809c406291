// Scan type names.
#include "core/scan_type.hpp"

namespace sw::core {

std::optional<ScanType> parse_scan_type(std::string_view text) {
  if (text == "untrusted") return ScanType::untrusted;
  if (text == "authenticated" || text == "trusted_basic") return ScanType::authenticated;
  if (text == "authenticated_privileged" || text == "trusted_privileged") {
    return ScanType::authenticated_privileged;
  }
  return std::nullopt;
}

std::string_view to_string(ScanType type) {
  switch (type) {
    case ScanType::untrusted:
      return "untrusted";
    case ScanType::authenticated:
      return "authenticated";
    case ScanType::authenticated_privileged:
      return "authenticated_privileged";
  }
  return "untrusted";
}

bool is_authenticated(ScanType type) { return type != ScanType::untrusted; }

}  // namespace sw::core
