// scanctl submit: task.json and the queue entry in both output modes, credentials from an
// environment variable and a file that never reach task.json, other Redis keys or the
// output, rejections with their exit codes, idempotency repeat and conflict, and --help.
#include <fstream>

#include "core/redact.hpp"
#include "core/task_message.hpp"
#include "scanctl_fixture.hpp"

namespace sw::scanctl_test {
namespace {

constexpr const char* ssh_password = "Sup3r-S3cret-ssh";
constexpr const char* escalation_password = "Esc4late-S3cret";

class SubmitTest : public ScanctlFixture {};

TEST_F(SubmitTest, UntrustedScanWritesTaskJsonAndEnqueues) {
  CommandRun run = scanctl({"submit", "--targets", "10.0.0.0/24, host.example", "--name", "Weekly", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto out = run.json();
  const std::string task_id = out.at("task_id");
  EXPECT_EQ(task_id.rfind("ne_scan_", 0), 0u);
  EXPECT_EQ(out.at("queue_position"), 1);
  EXPECT_EQ(out.at("existing"), false);
  EXPECT_EQ(out.at("pool"), "nessus");

  const auto task = store().read(task_id);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->status, core::TaskStatus::queued);
  EXPECT_EQ(task->trace_id, out.at("trace_id"));
  EXPECT_EQ(task->payload.at("name"), "Weekly");
  EXPECT_EQ(task->payload.at("schema_profile"), "brief");

  const auto entries = redis().command({"LRANGE", "nessus:queue", "0", "-1"}).elements;
  ASSERT_EQ(entries.size(), 1u);
  const core::TaskMessage message = core::parse_task_message(entries[0].text, "nessus");
  EXPECT_EQ(message.task_id, task_id);
  EXPECT_EQ(message.scan_type, core::ScanType::untrusted);
  EXPECT_FALSE(message.scanner_instance_id);

  run = scanctl({"submit", "--targets", "10.0.0.9", "--scanner", "scanner2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("queue position 2"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("trace id"), std::string::npos);
  const auto second = core::parse_task_message(redis().command({"LINDEX", "nessus:queue", "0"}).as_string(), "nessus");
  EXPECT_EQ(second.scanner_instance_id, "scanner2");
  EXPECT_NE(run.out.find(second.task_id), std::string::npos);
  EXPECT_EQ(second.payload.at("name"), second.task_id);
}

TEST_F(SubmitTest, AuthenticatedScanKeepsThePasswordOutOfFilesRedisAndOutput) {
  const auto escalation_file = dir_.path() / "escalation";
  std::ofstream(escalation_file) << escalation_password << "\n";
  CommandRun run =
      scanctl({"submit", "--targets", "10.0.0.5", "--scan-type", "authenticated_privileged", "--ssh-user", "auditor",
               "--password-env", "SCAN_PASSWORD", "--escalation-password-file", escalation_file.string(),
               "--escalation-account", "root", "--pool", "nessus_dmz", "--idempotency-key", "auth-1", "--json"},
              {{"SCAN_PASSWORD", ssh_password}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string task_id = run.json().at("task_id");
  for (const std::string& secret : {std::string(ssh_password), std::string(escalation_password)}) {
    EXPECT_EQ(run.out.find(secret), std::string::npos);
    EXPECT_EQ(run.err.find(secret), std::string::npos);
  }

  std::ifstream file(data_dir() / task_id / "task.json");
  const std::string task_json((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(task_json.find(ssh_password), std::string::npos);
  EXPECT_EQ(task_json.find(escalation_password), std::string::npos);
  const auto task = store().read(task_id);
  ASSERT_TRUE(task);
  const auto& creds = task->payload.at("credentials");
  EXPECT_EQ(creds.at("password"), core::kRedacted);
  EXPECT_EQ(creds.at("escalation_password"), core::kRedacted);
  EXPECT_EQ(creds.at("username"), "auditor");
  EXPECT_EQ(creds.at("elevate_privileges_with"), "sudo");

  // The queue message carries the credentials to the worker (docs/contracts.md#the-task-message); no other key does.
  const auto entry = redis().command({"LINDEX", "nessus_dmz:queue", "0"}).as_string();
  const auto message = core::parse_task_message(entry, "nessus_dmz");
  EXPECT_EQ(message.payload.at("credentials").at("password"), ssh_password);
  EXPECT_EQ(message.payload.at("credentials").at("escalation_password"), escalation_password);
  redis().command({"DEL", "nessus_dmz:queue"});
  const std::string rest = redis_dump();
  EXPECT_NE(rest.find("sw:idempotency:auth-1"), std::string::npos);
  EXPECT_EQ(rest.find(ssh_password), std::string::npos);
  EXPECT_EQ(rest.find(escalation_password), std::string::npos);

  run = scanctl({"status", task_id, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find(ssh_password), std::string::npos);
  run = scanctl({"list"});
  EXPECT_EQ(run.out.find(ssh_password), std::string::npos);
}

TEST_F(SubmitTest, RejectionsAndExitCodes) {
  // Invalid requests: 1.
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--scan-type", "authenticated", "--ssh-user", "u"}).exit_code,
            1);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--scan-type", "authenticated", "--ssh-user", "u",
                     "--password-env", "UNSET_SCANCTL_VARIABLE"})
                .exit_code,
            1);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--ssh-user", "u"}).exit_code, 1);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--pool", "nessus_nowhere"}).exit_code, 1);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--scanner", "dmz1"}).exit_code, 1);
  EXPECT_EQ(scanctl({"submit", "--targets", " , "}).exit_code, 1);
  // Usage: 2. No password flag exists; targets are required; one password source only.
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--password", "x"}).exit_code, 2);
  EXPECT_EQ(scanctl({"submit"}).exit_code, 2);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--scan-type", "trusted"}).exit_code, 2);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--password-env", "A", "--password-file", "/x"}).exit_code, 2);
  // Configuration or connection problems: 2.
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1", "--config", (dir_.path() / "absent.yaml").string()}).exit_code,
            2);
  const std::string closed = "redis://127.0.0.1:" + std::to_string(testing::free_port());
  const CommandRun unreachable = scanctl({"submit", "--targets", "10.0.0.1", "--redis-url", closed});
  EXPECT_EQ(unreachable.exit_code, 2);
  EXPECT_NE(unreachable.err.find("scanctl submit:"), std::string::npos);
  EXPECT_EQ(scanctl({"submit", "--targets", "10.0.0.1"}, {{"REDIS_URL", "http://nope"}}).exit_code, 2);
  // The task whose enqueue failed is recorded as failed, not left queued.
  const auto failed = store().list({core::TaskStatus::failed, std::nullopt, std::nullopt, 0});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].error_message.value_or("").find("could not be queued"), std::string::npos);
  EXPECT_EQ(redis().command({"LLEN", "nessus:queue"}).as_integer(), 0);
}

TEST_F(SubmitTest, IdempotencyKeyRepeatAndConflict) {
  const std::vector<std::string> request{"submit",  "--targets",         "10.1.0.0/16",        "--name",
                                         "nightly", "--idempotency-key", "nightly-2025-12-01", "--json"};
  CommandRun first = scanctl(request);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string task_id = first.json().at("task_id");

  CommandRun repeat = scanctl(request);
  ASSERT_EQ(repeat.exit_code, 0) << repeat.err;
  EXPECT_EQ(repeat.json().at("task_id"), task_id);
  EXPECT_EQ(repeat.json().at("existing"), true);
  EXPECT_EQ(repeat.json().at("status"), "queued");
  EXPECT_EQ(redis().command({"LLEN", "nessus:queue"}).as_integer(), 1);

  std::vector<std::string> human = request;
  human.pop_back();
  repeat = scanctl(human);
  EXPECT_EQ(repeat.exit_code, 0);
  EXPECT_NE(repeat.out.find("already submitted"), std::string::npos) << repeat.out;
  EXPECT_NE(repeat.out.find(task_id), std::string::npos);

  std::vector<std::string> different = request;
  different[2] = "10.2.0.0/16";
  const CommandRun conflict = scanctl(different);
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_NE(conflict.err.find(task_id), std::string::npos) << conflict.err;
  EXPECT_EQ(redis().command({"LLEN", "nessus:queue"}).as_integer(), 1);
  EXPECT_EQ(store().list().size(), 1u);
  const long long ttl = redis().command({"TTL", "sw:idempotency:nightly-2025-12-01"}).as_integer();
  EXPECT_GT(ttl, 6 * 86400);
}

TEST_F(SubmitTest, HelpDocumentsExitCodes) {
  CommandRun run = scanctl({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Exit codes"), std::string::npos);
  for (const char* command : {"submit", "status", "list", "queue", "dlq", "scanners", "pools", "workers"}) {
    run = scanctl({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.out.find("--json"), std::string::npos) << command;
  }
  EXPECT_EQ(scanctl({"dlq", "purge", "--help"}).exit_code, 0);
  EXPECT_EQ(scanctl({}).exit_code, 2);
  EXPECT_EQ(scanctl({"frobnicate"}).exit_code, 2);
}

}  // namespace
}  // namespace sw::scanctl_test
