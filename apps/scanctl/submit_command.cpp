// scanctl submit: builds the task message (docs/contracts.md#the-task-message), checks it with the worker's parser,
// writes task.json (status queued, secrets redacted) and LPUSHes the message, as the
// Python MCP server did (service::Submitter); --idempotency-key makes a repeated submission
// return its task.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/scan_type.hpp"
#include "queue/idempotency.hpp"
#include "service/submission.hpp"
#include "settings.hpp"
#include "store/task_store.hpp"
#include "terminal.hpp"

namespace sw::scanctl {
namespace {

struct SecretSource {
  std::string env;
  std::string file;
  bool prompt = false;

  bool given() const { return !env.empty() || !file.empty() || prompt; }
};

struct SubmitOptions {
  Settings settings;
  std::string targets;
  std::string name;
  std::string description;
  std::string pool = "nessus";
  std::string scanner;
  std::string schema_profile = "brief";
  std::string scan_type = "untrusted";
  std::string ssh_user;
  SecretSource password;
  std::string elevate_with;
  std::string escalation_account;
  SecretSource escalation_password;
  std::string idempotency_key;
};

[[noreturn]] void refuse(const std::string& why) { throw core::Error(core::ErrorKind::bad_input, why); }

// The secret from its one source; `what` names it in messages (never the value).
std::string read_secret(const SecretSource& source, const std::string& what) {
  if (!source.env.empty()) {
    const char* value = std::getenv(source.env.c_str());
    if (value == nullptr || *value == '\0') refuse("environment variable " + source.env + " (" + what + ") is not set");
    return value;
  }
  if (!source.file.empty()) {
    std::ifstream in(source.file, std::ios::binary);
    if (!in) refuse("cannot read the " + what + " file " + source.file);
    std::ostringstream text;
    text << in.rdbuf();
    std::string secret = text.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) refuse("the " + what + " file " + source.file + " is empty");
    return secret;
  }
  std::string secret = read_secret_from_terminal(what + ": ");
  if (secret.empty()) refuse("empty " + what);
  return secret;
}

nlohmann::json credentials(const SubmitOptions& options, core::ScanType type) {
  const bool any_given = !options.ssh_user.empty() || options.password.given() || !options.elevate_with.empty() ||
                         !options.escalation_account.empty() || options.escalation_password.given();
  if (!core::is_authenticated(type)) {
    if (any_given) refuse("SSH credentials are only for authenticated scans (--scan-type authenticated...)");
    return nullptr;
  }
  if (options.ssh_user.empty()) refuse("an authenticated scan needs --ssh-user");
  if (!options.password.given())
    refuse("an authenticated scan needs --password-env, --password-file or --password-prompt");
  std::string elevate = options.elevate_with;
  if (elevate.empty()) elevate = type == core::ScanType::authenticated_privileged ? "sudo" : "Nothing";
  return {{"type", "ssh"},
          {"username", options.ssh_user},
          {"password", read_secret(options.password, "SSH password")},
          {"auth_method", "password"},
          {"elevate_privileges_with", elevate},
          {"escalation_account", options.escalation_account},
          {"escalation_password", options.escalation_password.given()
                                      ? read_secret(options.escalation_password, "escalation password")
                                      : std::string()}};
}

void print_existing(const SubmitOptions& options, const service::Submission& existing) {
  if (options.settings.json) {
    print_json({{"task_id", existing.task_id},
                {"existing", true},
                {"status", existing.status},
                {"trace_id", existing.trace_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(existing.trace_id)},
                {"pool", options.pool}});
    return;
  }
  std::cout << "Task " << paint(existing.task_id, Colour::bold) << " was already submitted with this idempotency key ("
            << paint(existing.status, status_colour(existing.status)) << "); nothing queued.\n";
}

int submit(SubmitOptions& options) {
  const auto type = core::parse_scan_type(options.scan_type);
  if (!type) refuse("unknown scan type '" + options.scan_type + "'");
  const std::optional<std::string> scanner =
      options.scanner.empty() ? std::nullopt : std::optional<std::string>(options.scanner);
  service::check_pool(options.settings.scanners(), options.pool, scanner);
  const config::Environment env = options.settings.environment();

  service::ScanRequest request;
  request.scan_type = options.scan_type;
  request.pool = options.pool;
  request.scanner = scanner;
  request.targets = options.targets;
  request.name = options.name;
  request.description = options.description;
  request.schema_profile = options.schema_profile;
  request.credentials = credentials(options, *type);

  store::TaskStore store(env.data_dir);
  queue::TaskQueue task_queue = options.settings.task_queue();
  std::optional<queue::IdempotencyKeys> keys;
  if (!options.idempotency_key.empty()) keys.emplace(options.settings.redis());
  service::Submitter submitter(store, task_queue, keys ? &*keys : nullptr);
  const service::Submission submission = submitter.submit(request, options.idempotency_key);
  if (submission.existing) {
    print_existing(options, submission);
    return exit_ok;
  }

  if (options.settings.json) {
    print_json({{"task_id", submission.task_id},
                {"existing", false},
                {"status", "queued"},
                {"trace_id", submission.trace_id},
                {"pool", options.pool},
                {"scanner_instance_id", scanner ? nlohmann::json(*scanner) : nlohmann::json(nullptr)},
                {"queue_position", submission.queue_position}});
    return exit_ok;
  }
  std::cout << "Queued " << paint(submission.task_id, Colour::bold) << " on pool " << options.pool
            << " (queue position " << submission.queue_position << ")\n"
            << "  trace id  " << submission.trace_id << '\n'
            << "  follow    scanctl status " << submission.task_id << " --watch\n";
  return exit_ok;
}

void add_secret_options(CLI::App& command, SecretSource& source, const std::string& prefix, const std::string& what) {
  auto* env =
      command.add_option("--" + prefix + "-env", source.env, "read the " + what + " from this environment variable");
  auto* file = command.add_option("--" + prefix + "-file", source.file, "read the " + what + " from this file");
  env->excludes(file);
  if (prefix == "password") {
    auto* prompt =
        command.add_flag("--password-prompt", source.prompt, "ask for the " + what + " on the terminal (no echo)");
    prompt->excludes(env)->excludes(file);
  }
}

}  // namespace

void add_submit_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SubmitOptions>();
  CLI::App* command = app.add_subcommand("submit", "Queue a scan: writes task.json and pushes the task message");
  command->add_option("--targets", options->targets, "targets: addresses, CIDR blocks, ranges, host names")->required();
  command->add_option("--name", options->name, "scan name (default: the task id)");
  command->add_option("--description", options->description, "scan description");
  command->add_option("--pool", options->pool, "scanner pool (default nessus)");
  command->add_option("--scanner", options->scanner, "pin a scanner instance of the pool (default: least loaded)");
  command->add_option("--schema-profile", options->schema_profile, "results profile: minimal | summary | brief | full");
  command->add_option("--scan-type", options->scan_type, "untrusted | authenticated | authenticated_privileged")
      ->check(CLI::IsMember({"untrusted", "authenticated", "authenticated_privileged"}));
  command->add_option("--ssh-user", options->ssh_user, "SSH user (authenticated scans)");
  add_secret_options(*command, options->password, "password", "SSH password");
  command->add_option("--elevate-with", options->elevate_with,
                      "privilege escalation: Nothing | sudo | su | ... (default sudo for authenticated_privileged)");
  command->add_option("--escalation-account", options->escalation_account,
                      "account to escalate to (empty: Nessus uses root)");
  add_secret_options(*command, options->escalation_password, "escalation-password", "escalation password");
  command->add_option("--idempotency-key", options->idempotency_key,
                      "a repeat with this key and the same parameters returns the earlier task (kept 7 days)");
  add_settings_options(*command, options->settings);
  command->callback([options, &exit_code] { exit_code = run_command("submit", [&] { return submit(*options); }); });
}

}  // namespace sw::scanctl
