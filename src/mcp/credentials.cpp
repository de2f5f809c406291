// The credentials file: permissions checked, entries parsed, values never echoed.
#include "mcp/credentials.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "core/errors.hpp"

namespace sw::mcp {
namespace {

[[noreturn]] void refuse(const std::filesystem::path& path, const std::string& why) {
  throw core::Error(core::ErrorKind::bad_input, "MCP_CREDENTIALS_FILE " + path.string() + ": " + why);
}

}  // namespace

CredentialStore CredentialStore::load(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) refuse(path, "cannot be read");
  if ((info.st_mode & 077) != 0) {
    refuse(path, "is readable or writable by group or others; chmod 600 it");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    refuse(path, "is not YAML (line " + std::to_string(e.mark.line + 1) + ")");
  }
  CredentialStore store;
  if (root.IsNull()) return store;
  if (!root.IsMap()) refuse(path, "must map credential ids to entries");
  static const std::set<std::string> known{"username", "password", "elevate_privileges_with", "escalation_account",
                                           "escalation_password"};
  for (const auto& item : root) {
    const std::string id = item.first.as<std::string>();
    const YAML::Node& entry = item.second;
    if (!entry.IsMap()) refuse(path, "entry '" + id + "' must be a mapping");
    for (const auto& field : entry) {
      const std::string key = field.first.as<std::string>();
      if (known.count(key) == 0) refuse(path, "entry '" + id + "' has an unknown key '" + key + "'");
      if (!field.second.IsScalar()) refuse(path, "entry '" + id + "': '" + key + "' must be a string");
    }
    StoredCredential credential;
    const auto text = [&entry](const char* key) { return entry[key] ? entry[key].as<std::string>() : std::string(); };
    credential.username = text("username");
    credential.password = text("password");
    if (credential.username.empty() || credential.password.empty()) {
      refuse(path, "entry '" + id + "' needs a username and a password");
    }
    if (entry["elevate_privileges_with"]) credential.elevate_privileges_with = text("elevate_privileges_with");
    credential.escalation_account = text("escalation_account");
    credential.escalation_password = text("escalation_password");
    store.entries_.emplace(id, std::move(credential));
  }
  return store;
}

const StoredCredential* CredentialStore::find(const std::string& id) const {
  const auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> CredentialStore::ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, unused] : entries_) ids.push_back(id);
  return ids;
}

}  // namespace sw::mcp
