// Streaming generator of NessusClientData_v2 documents: policy, one-line plugin_set,
// per-host properties, credential plugins by outcome, local-check findings and a seeded
// mix of findings.
#include "exportgen/export_writer.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <string_view>
#include <utility>

namespace sw::exportgen {
namespace {

enum Stage { policy_head, plugin_set, policy_tail, host_head, host_findings, host_tail, done };

constexpr std::size_t plugin_ids_per_piece = 8000;
constexpr int findings_per_piece = 64;
constexpr std::int64_t host_scan_seconds = 120;

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

void append_preference(std::string& out, std::string_view name, std::string_view value) {
  out += "<preference><name>";
  append_escaped(out, name);
  out += "</name><value>";
  append_escaped(out, value);
  out += "</value></preference>\n";
}

void append_tag(std::string& out, std::string_view name, std::string_view value) {
  out += "<tag name=\"";
  append_escaped(out, name);
  out += "\">";
  append_escaped(out, value);
  out += "</tag>\n";
}

// "Fri Nov  7 13:25:52 2025" (UTC).
std::string ctime_style(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buffer{};
  std::size_t n = std::strftime(buffer.data(), buffer.size(), "%a %b %e %H:%M:%S %Y", &tm);
  return std::string(buffer.data(), n);
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t finding_random(std::uint64_t seed, std::size_t host_index, int finding_index) {
  return mix(mix(mix(seed) ^ host_index) ^ static_cast<std::uint64_t>(finding_index));
}

struct ReportItemSpec {
  int port;
  std::string_view svc_name;
  std::string_view protocol;
  int severity;
  int plugin_id;
  std::string_view plugin_name;
  std::string_view family;
};

void open_item(std::string& out, const ReportItemSpec& item) {
  out += "<ReportItem port=\"" + std::to_string(item.port) + "\" svc_name=\"";
  append_escaped(out, item.svc_name);
  out += "\" protocol=\"";
  out += item.protocol;
  out += "\" severity=\"" + std::to_string(item.severity) + "\" pluginID=\"" + std::to_string(item.plugin_id) +
         "\" pluginName=\"";
  append_escaped(out, item.plugin_name);
  out += "\" pluginFamily=\"";
  append_escaped(out, item.family);
  out += "\">\n";
}

void append_settings_item(std::string& out, int port, std::string_view svc, int plugin_id, std::string_view name,
                          std::string_view output) {
  open_item(out, {port, svc, "tcp", 0, plugin_id, name, "Settings"});
  append_element(out, "plugin_name", name);
  append_element(out, "plugin_type", "summary");
  append_element(out, "risk_factor", "None");
  append_element(out, "synopsis", name);
  append_element(out, "description", "This plugin reports the credential status of the host.");
  append_element(out, "solution", "n/a");
  append_element(out, "plugin_output", output);
  out += "</ReportItem>\n";
}

std::string scan_information(const ExportSpec& spec, std::string_view credentialed) {
  return "\nInformation about this scan : \n\nNessus version : 10.10.1\nNessus build : 20028\n"
         "Plugin feed version : 202511290000\nScanner edition used : Nessus Home\n"
         "Scanner OS : LINUX\nScanner distribution : debian10-x86-64\n"
         "Scan type : Normal\nScan name : " +
         spec.scan_name + "\nScan policy used : " + spec.policy_name + "\nScanner IP : " + spec.scanner_ip +
         "\nPort range : default\nThorough tests : no\nExperimental tests : no\n"
         "Paranoia level : 1\nReport verbosity : 1\nSafe checks : yes\n"
         "Optimize the test : yes\nCredentialed checks : " +
         std::string(credentialed) +
         "\nPatch management checks : None\nCGI scanning : disabled\n"
         "Web application tests : disabled\nMax hosts : 30\nMax checks : 4\n"
         "Recv timeout : 5\nBackports : None\nScan duration : 120 sec\n";
}

bool credentials_accepted(HostAuth auth) {
  return auth == HostAuth::success || auth == HostAuth::insufficient_privilege || auth == HostAuth::scanner_local;
}

// The 19506 "Credentialed checks" value of an outcome.
std::string credentialed_checks(const ExportSpec& spec, HostAuth auth) {
  switch (auth) {
    case HostAuth::success:
    case HostAuth::insufficient_privilege:
      return "yes, as '" + spec.username + "' via ssh";
    case HostAuth::scanner_local:
      return "yes (on the localhost)";
    default:
      return "no";
  }
}

void append_credential_items(std::string& out, const ExportSpec& spec, const HostSpec& host) {
  if (host.evidence.scan_information) {
    append_settings_item(out, 0, "general", 19506, "Nessus Scan Information",
                         scan_information(spec, credentialed_checks(spec, host.auth)));
  }
  if (!host.evidence.credential_plugins) return;
  const std::string accepted = "Nessus was able to log in to the remote host via the following :\n\n  User:     '" +
                               spec.username + "'\n  Port:     22\n  Proto:    SSH\n  Method:   password\n";
  const std::string assessment_available =
      "\nOS Security Patch Assessment is available.\n\nAccount  : " + spec.username + "\nProtocol : SSH\n";
  switch (host.auth) {
    case HostAuth::not_attempted:
      append_settings_item(
          out, 0, "general", 117886, "OS Security Patch Assessment Not Available",
          "\nThe following issues were reported :\n\n  - Plugin      : no_local_checks_credentials.nasl\n"
          "    Plugin ID   : 110723\n    Message     : \nCredentials were not provided for detected SSH service.\n");
      break;
    case HostAuth::success:
      append_settings_item(out, 22, "ssh", 141118,
                           "Target Credential Status by Authentication Protocol - Valid Credentials Provided",
                           accepted);
      append_settings_item(out, 0, "general", 117887, "OS Security Patch Assessment Available", assessment_available);
      break;
    case HostAuth::scanner_local:
      append_settings_item(out, 0, "general", 141118,
                           "Target Credential Status by Authentication Protocol - Valid Credentials Provided",
                           "\nNessus was able to execute commands on localhost.\n");
      append_settings_item(out, 0, "general", 117887, "OS Security Patch Assessment Available",
                           "\nOS Security Patch Assessment is available.\n\nProtocol : LOCAL\n");
      break;
    case HostAuth::failure:
      append_settings_item(
          out, 22, "ssh", 104410,
          "Target Credential Status by Authentication Protocol - Failure for Provided Credentials",
          "\nNessus was unable to log into the following host for which credentials have been provided :\n\n"
          "  Protocol        : SSH\n  Port            : 22\n  Failure details :\n\n  - User : '" +
              spec.username + "'\n    Message : Authentication failed.\n");
      append_settings_item(
          out, 0, "general", 21745, "OS Security Patch Assessment Failed",
          "\nOS Security Patch Assessment failed because :\n\n  - Plugin      : ssh_get_info2.nasl\n"
          "    Plugin ID   : 97993\n    Protocol    : SSH\n    Message     : Credentialed checks were not run.\n");
      break;
    case HostAuth::insufficient_privilege:
      append_settings_item(out, 22, "ssh", 141118,
                           "Target Credential Status by Authentication Protocol - Valid Credentials Provided",
                           accepted);
      append_settings_item(out, 22, "ssh", 110385,
                           "Target Credential Issues by Authentication Protocol - Insufficient Privilege",
                           "\nNessus was able to log into the remote host, however this credential did not have "
                           "sufficient privileges for all planned checks :\n\n  User : '" +
                               spec.username + "'\n  Port : 22\n  Proto : SSH\n\nSee plugin 102094 for details.\n");
      break;
  }
}

struct Vulnerability {
  int plugin_id;
  std::string_view name;
  std::string_view family;
  std::string_view risk_factor;
  std::string_view cve;
  std::string_view cvss2;
  std::string_view cvss3;
};

// One typical plugin per severity 0..4.
constexpr std::array<Vulnerability, 5> vulnerabilities{{
    {10107, "HTTP Server Type and Version", "Web Servers", "None", "", "", ""},
    {70658, "SSH Server CBC Mode Ciphers Enabled", "Misc.", "Low", "CVE-2008-5161", "2.6", "3.7"},
    {42873, "SSL Medium Strength Cipher Suites Supported (SWEET32)", "General", "Medium", "CVE-2016-2183", "5.0",
     "7.5"},
    {201198, "OpenSSH < 9.8 RCE (regreSSHion)", "Misc.", "High", "CVE-2024-6387", "7.6", "8.1"},
    {150280, "Apache 2.4.x < 2.4.48 Multiple Vulnerabilities", "Web Servers", "Critical", "CVE-2021-26691", "7.5",
     "9.8"},
}};

void append_finding(std::string& out, const ExportSpec& spec, std::size_t host_index, int index) {
  const int severity = finding_severity(spec.seed, host_index, index);
  const Vulnerability& v = vulnerabilities[static_cast<std::size_t>(severity)];
  const std::uint64_t r = finding_random(spec.seed, host_index, index);
  int port = 443;
  std::string_view svc = "www";
  if (index == 0) {
    port = 8080;
    svc = "http?";
  } else if (severity == 1 || severity == 3) {
    port = 22;
    svc = "ssh";
  } else if (index > 1) {
    port = 1024 + static_cast<int>(r % 60000);
  }
  // As in real exports, severity follows CVSSv3 while risk_factor may follow CVSSv2.
  const std::string_view risk = index == 1 ? std::string_view("High") : v.risk_factor;
  open_item(out, {port, svc, "tcp", severity, v.plugin_id, v.name, v.family});
  append_element(out, "plugin_name", v.name);
  append_element(out, "plugin_type", "remote");
  append_element(out, "risk_factor", risk);
  append_element(out, "synopsis", "The remote service is affected by an issue <" + std::string(v.name) + ">.");
  append_element(out, "description",
                 "The version of the remote service is affected by \"" + std::string(v.name) + "\" & related issues.");
  append_element(out, "solution", "Upgrade to the latest version.");
  if (!v.cve.empty()) {
    append_element(out, "cve", v.cve);
    append_element(out, "cvss_base_score", v.cvss2);
    append_element(out, "cvss_vector", "CVSS2#AV:N/AC:L/Au:N/C:P/I:P/A:P");
    append_element(out, "cvss3_base_score", v.cvss3);
    append_element(out, "cvss3_vector", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  }
  append_element(out, "plugin_output",
                 "\n  Port " + std::to_string(port) + " : finding " + std::to_string(r % 100000) + "\n");
  out += "</ReportItem>\n";
}

// A finding of a local check (plugin_type local): alternately software enumeration over
// SSH (info) and a missing Debian security update (high).
void append_local_finding(std::string& out, int index) {
  const bool enumeration = index % 2 == 0;
  if (enumeration) {
    open_item(out, {0, "general", "tcp", 0, 22869, "Software Enumeration (SSH)", "General"});
  } else {
    open_item(out, {0, "general", "tcp", 3, 193459, "Debian dsa-5678 : glibc - security update",
                    "Debian Local Security Checks"});
  }
  append_element(out, "plugin_type", "local");
  append_element(out, "risk_factor", enumeration ? "None" : "High");
  append_element(out, "synopsis",
                 enumeration ? "It was possible to enumerate installed software on the remote host via SSH."
                             : "The remote Debian host is missing a security-related update.");
  append_element(out, "solution", enumeration ? "n/a" : "Upgrade the glibc packages.");
  append_element(
      out, "plugin_output",
      enumeration
          ? "\nHere is the list of packages installed on the remote Debian Linux system :\n\n  ii  bash  5.2.15-2+b2\n"
          : "\nRemote package installed : libc6_2.36-9+deb12u4\nShould be : libc6_2.36-9+deb12u7\n");
  out += "</ReportItem>\n";
}

}  // namespace

int finding_severity(std::uint64_t seed, std::size_t host_index, int finding_index) {
  if (finding_index == 0) return 2;
  if (finding_index == 1) return 4;
  const std::uint64_t r = finding_random(seed, host_index, finding_index) % 100;
  if (r < 40) return 0;
  if (r < 55) return 1;
  if (r < 80) return 2;
  if (r < 95) return 3;
  return 4;
}

ExportWriter::ExportWriter(ExportSpec spec) : spec_(std::move(spec)) {}

bool ExportWriter::next(std::string& out) {
  switch (stage_) {
    case policy_head: {
      out += "<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Policy><policyName>";
      append_escaped(out, spec_.policy_name);
      out += "</policyName>\n<Preferences><ServerPreferences>\n";
      append_preference(out, "whoami", "admin");
      append_preference(out, "scan_name", spec_.scan_name);
      append_preference(out, "TARGET", spec_.targets);
      append_preference(out, "name", spec_.policy_name);
      append_preference(out, "feed_type", "HomeFeed");
      append_preference(out, "severity_basis", "cvss_v3");
      out += "<preference><name>plugin_set</name><value>";
      stage_ = plugin_set;
      return true;
    }
    case plugin_set: {
      std::size_t end = std::min(spec_.plugin_set_size, plugin_set_done_ + plugin_ids_per_piece);
      for (; plugin_set_done_ < end; ++plugin_set_done_) {
        out += std::to_string(10001 + plugin_set_done_ * 3);
        out += ';';
      }
      if (plugin_set_done_ == spec_.plugin_set_size) {
        out += "</value></preference>\n";
        stage_ = policy_tail;
      }
      return true;
    }
    case policy_tail: {
      int accepted = 0;
      int failed = 0;
      int without = 0;
      for (const HostSpec& host : spec_.hosts) {
        if (credentials_accepted(host.auth))
          ++accepted;
        else if (host.auth == HostAuth::failure)
          ++failed;
        else
          ++without;
      }
      append_preference(out, "scan_start_timestamp", std::to_string(spec_.scan_start));
      append_preference(out, "scan_end_timestamp", std::to_string(spec_.scan_end));
      append_preference(out, "hostCredsSuccessCount", std::to_string(accepted));
      append_preference(out, "hostCredsFailedCount", std::to_string(failed));
      append_preference(out, "hostCredsWithoutCount", std::to_string(without));
      out +=
          "</ServerPreferences>\n<PluginsPreferences></PluginsPreferences>\n</Preferences>\n"
          "<FamilySelection><FamilyItem><FamilyName>Settings</FamilyName><Status>enabled</Status>"
          "</FamilyItem></FamilySelection>\n</Policy>\n"
          "<Report name=\"";
      append_escaped(out, spec_.scan_name);
      out += "\" xmlns:cm=\"http://www.nessus.org/cm\">\n";
      stage_ = spec_.hosts.empty() ? static_cast<int>(done) : static_cast<int>(host_head);
      if (stage_ == done) out += "</Report>\n</NessusClientData_v2>\n";
      return true;
    }
    case host_head: {
      const HostSpec& host = spec_.hosts[host_index_];
      const std::int64_t start = spec_.scan_start + static_cast<std::int64_t>(host_index_);
      const std::int64_t end = start + host_scan_seconds;
      const bool credentialed = credentials_accepted(host.auth);
      out += "<ReportHost name=\"";
      append_escaped(out, host.name);
      out += "\"><HostProperties>\n";
      append_tag(out, "HOST_END", ctime_style(end));
      append_tag(out, "HOST_END_TIMESTAMP", std::to_string(end));
      if (host.evidence.credentialed_scan_tag) append_tag(out, "Credentialed_Scan", credentialed ? "true" : "false");
      if (host.evidence.local_checks_proto_tag && credentialed) {
        append_tag(out, "local-checks-proto", host.auth == HostAuth::scanner_local ? "local" : "ssh");
      }
      append_tag(out, credentialed ? "LastAuthenticatedResults" : "LastUnauthenticatedResults", std::to_string(end));
      append_tag(out, "policy-used", spec_.policy_name);
      if (credentialed)
        append_tag(out, "operating-system", "Linux Kernel 6.1 on Debian 12");
      else
        append_tag(out, "os", "linux");
      append_tag(out, "host-ip", host.ip);
      append_tag(out, "HOST_START", ctime_style(start));
      append_tag(out, "HOST_START_TIMESTAMP", std::to_string(start));
      out += "</HostProperties>\n";
      append_credential_items(out, spec_, host);
      for (int i = 0; i < host.evidence.local_findings; ++i) append_local_finding(out, i);
      item_index_ = 0;
      stage_ = host_findings;
      return true;
    }
    case host_findings: {
      const HostSpec& host = spec_.hosts[host_index_];
      const int end = std::min(host.findings, item_index_ + findings_per_piece);
      for (; item_index_ < end; ++item_index_) append_finding(out, spec_, host_index_, item_index_);
      if (item_index_ >= host.findings) stage_ = host_tail;
      return true;
    }
    case host_tail: {
      out += "</ReportHost>\n";
      ++host_index_;
      if (host_index_ < spec_.hosts.size()) {
        stage_ = host_head;
      } else {
        out += "</Report>\n</NessusClientData_v2>\n";
        stage_ = done;
      }
      return true;
    }
    default:
      return false;
  }
}

std::string write_export(const ExportSpec& spec) {
  ExportWriter writer(spec);
  std::string document;
  while (writer.next(document)) {
  }
  return document;
}

}  // namespace sw::exportgen
