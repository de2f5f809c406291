// Generates realistic .nessus (NessusClientData_v2) exports, streamed in chunks so that
// files of any size never sit in memory (docs/nessus-export.md, docs/simulator.md#generated-exports). Used by
// nessus-sim for its downloads, and by tests and benchmarks of the results module.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sw::exportgen {

// What the credential plugins of one host say.
enum class HostAuth {
  not_attempted,           // untrusted scan: 19506 "Credentialed checks : no"; 117886 when credentials absent
  success,                 // 19506 "yes, as 'user' via ssh"; 141118; 117887
  failure,                 // 19506 "no"; 104410 (port 22); 21745
  insufficient_privilege,  // 19506 "yes, as 'user' via ssh"; 141118; 110385 (port 22)
  scanner_local,  // the scanner itself: 19506 "yes (on the localhost)"; 141118 "execute commands on localhost"; 117887
};

// Which records of a host's credential outcome the export carries. The defaults are what
// Nessus writes; filtered exports and older scanners lack some (docs/nessus-export.md#host-properties,
// #credential-plugins).
struct HostEvidence {
  bool scan_information = true;       // plugin 19506 (with "Scanner IP : ExportSpec::scanner_ip")
  bool credential_plugins = true;     // 141118, 104410, 110385, 117886, 117887, 21745 as the outcome has them
  bool credentialed_scan_tag = true;  // HostProperties Credentialed_Scan (true when logged in)
  // HostProperties local-checks-proto when local checks ran: "ssh", or "local" on the scanner itself.
  bool local_checks_proto_tag = true;
  int local_findings = 0;  // findings with plugin_type local: 22869 (info) and a Debian DSA (high), alternating
};

struct HostSpec {
  HostSpec() = default;
  HostSpec(std::string host_name, std::string host_ip, HostAuth host_auth = HostAuth::not_attempted,
           int host_findings = 10, HostEvidence host_evidence = {})
      : name(std::move(host_name)),
        ip(std::move(host_ip)),
        auth(host_auth),
        findings(host_findings),
        evidence(host_evidence) {}

  std::string name;  // ReportHost@name (IP or host name as scanned)
  std::string ip;    // host-ip property
  HostAuth auth = HostAuth::not_attempted;
  int findings = 10;  // ReportItems besides the credential plugins (severity mix 0-4)
  HostEvidence evidence;
};

struct ExportSpec {
  std::string scan_name = "scan";
  std::string targets;  // ServerPreferences TARGET
  std::string policy_name = "Advanced Scan";
  std::string username = "svc-nessus";    // the SSH user named in credential plugins
  std::string scanner_ip = "192.0.2.10";  // 19506 "Scanner IP"; a host with this ip is the scanner itself
  std::vector<HostSpec> hosts;
  std::size_t plugin_set_size = 2000;    // ids in the one-line plugin_set preference
  std::int64_t scan_start = 1764599422;  // epoch seconds
  std::int64_t scan_end = 1764600322;
  std::uint64_t seed = 1;  // findings are deterministic for a seed
};

// Pull-based writer: call next() until it returns false; each call appends the next
// piece of the document (a few KiB to ~64 KiB) to `out`. Memory is independent of the
// number of hosts and of plugin_set_size.
class ExportWriter {
 public:
  explicit ExportWriter(ExportSpec spec);
  bool next(std::string& out);

 private:
  ExportSpec spec_;
  int stage_ = 0;
  std::size_t host_index_ = 0;
  std::size_t plugin_set_done_ = 0;
  int item_index_ = 0;  // next finding of the current host
};

// Severity (0-4) of finding `finding_index` of host `host_index`: the first finding of
// each host is the medium "http?" item, the second the critical one with risk_factor
// High; the others follow a seeded mix. Tests use it to know what a generated export holds.
int finding_severity(std::uint64_t seed, std::size_t host_index, int finding_index);

// The whole document as one string (tests and small exports only).
std::string write_export(const ExportSpec& spec);

}  // namespace sw::exportgen
