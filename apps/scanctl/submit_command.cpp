// scanctl submit: builds the task message (docs/contracts.md#the-task-message), checks it with the worker's parser,
// writes task.json (status queued, secrets redacted) and LPUSHes the message, as the
// Python MCP server did; --idempotency-key makes a repeated submission return its task.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "core/task_message.hpp"
#include "queue/idempotency.hpp"
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
  if (!options.password.given()) refuse("an authenticated scan needs --password-env, --password-file or --password-prompt");
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

// The message without the generated ids: what an idempotency key's fingerprint covers.
nlohmann::json request_parameters(const SubmitOptions& options, core::ScanType type) {
  nlohmann::json payload{{"targets", options.targets},
                         {"name", options.name},
                         {"description", options.description},
                         {"schema_profile", options.schema_profile}};
  nlohmann::json creds = credentials(options, type);
  if (!creds.is_null()) payload["credentials"] = std::move(creds);
  return {{"scan_type", options.scan_type},
          {"scanner_pool", options.pool},
          {"scanner_instance_id", options.scanner.empty() ? nlohmann::json(nullptr) : nlohmann::json(options.scanner)},
          {"payload", std::move(payload)}};
}

void check_against_configuration(const SubmitOptions& options) {
  const config::ScannersConfig scanners = options.settings.scanners();
  const config::PoolConfig* pool = scanners.find_pool(options.pool);
  if (pool == nullptr) {
    std::string known;
    for (const auto& [name, unused] : scanners.pools) known += (known.empty() ? "" : ", ") + name;
    refuse("unknown pool '" + options.pool + "' (configured: " + known + ")");
  }
  if (!options.scanner.empty() && pool->find(options.scanner) == nullptr) {
    refuse("pool '" + options.pool + "' has no enabled scanner '" + options.scanner + "'");
  }
}

void print_existing(const SubmitOptions& options, const std::string& task_id, const std::optional<core::Task>& task) {
  const std::string status = task ? std::string(core::to_string(task->status)) : "unknown";
  if (options.settings.json) {
    print_json({{"task_id", task_id},
                {"existing", true},
                {"status", status},
                {"trace_id", task ? nlohmann::json(task->trace_id) : nlohmann::json(nullptr)},
                {"pool", options.pool}});
    return;
  }
  std::cout << "Task " << paint(task_id, Colour::bold) << " was already submitted with this idempotency key ("
            << paint(status, status_colour(status)) << "); nothing queued.\n";
}

int submit(SubmitOptions& options) {
  if (options.schema_profile.empty()) refuse("--schema-profile must not be empty");
  const auto type = core::parse_scan_type(options.scan_type);
  if (!type) refuse("unknown scan type '" + options.scan_type + "'");
  check_against_configuration(options);
  const config::Environment env = options.settings.environment();
  const auto now = std::chrono::system_clock::now();
  const std::string task_id = core::generate_task_id(now);
  if (options.name.empty()) options.name = task_id;

  const nlohmann::json parameters = request_parameters(options, *type);
  nlohmann::json message_json = parameters;
  message_json["task_id"] = task_id;
  message_json["trace_id"] = core::generate_uuid4();
  const std::string raw = message_json.dump();
  const core::TaskMessage message = core::parse_task_message(raw, options.pool);

  std::optional<queue::IdempotencyKeys> keys;
  if (!options.idempotency_key.empty()) {
    keys.emplace(options.settings.redis());
    const auto claim = keys->claim(options.idempotency_key, task_id, queue::parameters_fingerprint(parameters));
    if (claim.outcome == queue::ClaimOutcome::repeated) {
      print_existing(options, claim.task_id, store::TaskStore(env.data_dir).read(claim.task_id));
      return exit_ok;
    }
    if (claim.outcome == queue::ClaimOutcome::conflicting) {
      std::cerr << "scanctl submit: idempotency key already used for task " << claim.task_id
                << " with different parameters; nothing queued\n";
      return exit_not_found;
    }
  }

  store::TaskStore store(env.data_dir);
  queue::TaskQueue task_queue = options.settings.task_queue();
  long long position = 0;
  try {
    if (!store.create(core::task_from_message(message, now))) {
      throw core::Error(core::ErrorKind::conflict, "task " + task_id + " already exists");
    }
    try {
      position = task_queue.enqueue(options.pool, raw);
    } catch (const core::Error& e) {
      store.update(task_id, [&](core::Task& task) {
        task.status = core::TaskStatus::failed;
        task.completed_at = std::chrono::system_clock::now();
        task.error_message = std::string("could not be queued: ") + e.what();
      });
      throw;
    }
  } catch (const core::Error&) {
    if (keys) keys->release(options.idempotency_key, task_id);
    throw;
  }

  if (options.settings.json) {
    print_json({{"task_id", task_id},
                {"existing", false},
                {"status", "queued"},
                {"trace_id", message.trace_id},
                {"pool", options.pool},
                {"scanner_instance_id", parameters["scanner_instance_id"]},
                {"queue_position", position}});
    return exit_ok;
  }
  std::cout << "Queued " << paint(task_id, Colour::bold) << " on pool " << options.pool << " (queue position "
            << position << ")\n"
            << "  trace id  " << message.trace_id << '\n'
            << "  follow    scanctl status " << task_id << " --watch\n";
  return exit_ok;
}

void add_secret_options(CLI::App& command, SecretSource& source, const std::string& prefix, const std::string& what) {
  auto* env = command.add_option("--" + prefix + "-env", source.env, "read the " + what + " from this environment variable");
  auto* file = command.add_option("--" + prefix + "-file", source.file, "read the " + what + " from this file");
  env->excludes(file);
  if (prefix == "password") {
    auto* prompt = command.add_flag("--password-prompt", source.prompt, "ask for the " + what + " on the terminal (no echo)");
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
  command->add_option("--escalation-account", options->escalation_account, "account to escalate to (empty: Nessus uses root)");
  add_secret_options(*command, options->escalation_password, "escalation-password", "escalation password");
  command->add_option("--idempotency-key", options->idempotency_key,
                      "a repeat with this key and the same parameters returns the earlier task (kept 7 days)");
  add_settings_options(*command, options->settings);
  command->callback([options, &exit_code] { exit_code = run_command("submit", [&] { return submit(*options); }); });
}

}  // namespace sw::scanctl
