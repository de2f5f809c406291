// scan_request_of: the task message's payload as a Nessus scan request.
#include "worker/scan_request.hpp"

#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/scan_name.hpp"

namespace sw::worker {

nessus::NewScan scan_request_of(const core::TaskMessage& message) {
  const nlohmann::json& payload = message.payload;
  nessus::NewScan scan;
  scan.name = core::scan_name_for(payload.value("name", std::string("scan")), message.task_id);
  scan.description = payload.value("description", std::string());
  scan.targets = payload.value("targets", std::string());
  if (const auto* creds = core::credentials_of(message)) {
    nessus::SshCredentials ssh;
    ssh.username = creds->value("username", "");
    ssh.password = creds->value("password", "");
    ssh.auth_method = creds->value("auth_method", "password");
    ssh.elevate_privileges_with = creds->value("elevate_privileges_with", "Nothing");
    ssh.escalation_account = creds->value("escalation_account", "");
    ssh.escalation_password = creds->value("escalation_password", "");
    if (ssh.password == core::kRedacted) {
      throw core::Error(
          core::ErrorKind::bad_input,
          "the task's credentials were redacted (a retried dead letter); submit the scan again with its password");
    }
    scan.ssh = ssh;
  }
  return scan;
}

}  // namespace sw::worker
