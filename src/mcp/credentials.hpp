// Credentials by reference: MCP_CREDENTIALS_FILE names SSH credentials that an agent
// refers to by id (run_authenticated_scan's credential_id), so their passwords never pass
// through the agent's context. The file is YAML and must not be readable by others:
//
//   linux-servers:
//     username: svc-scan
//     password: "..."
//     elevate_privileges_with: sudo      # optional, default Nothing
//     escalation_account: root           # optional
//     escalation_password: "..."         # optional
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sw::mcp {

struct StoredCredential {
  std::string username;
  std::string password;
  std::string elevate_privileges_with = "Nothing";
  std::string escalation_account;
  std::string escalation_password;
};

class CredentialStore {
 public:
  CredentialStore() = default;

  // Loads the file. Throws core::Error(bad_input) naming the file (never a value) when it
  // is missing, readable by group or others (mode must be 0600 or stricter), not YAML, or
  // an entry lacks username/password or has an unknown key.
  static CredentialStore load(const std::filesystem::path& path);

  const StoredCredential* find(const std::string& id) const;
  std::vector<std::string> ids() const;

 private:
  std::map<std::string, StoredCredential> entries_;
};

}  // namespace sw::mcp
