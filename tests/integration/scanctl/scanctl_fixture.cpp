// The scanctl integration fixture: environment, running the binary, inspecting Redis.
#include "scanctl_fixture.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include "support/process.hpp"

namespace sw::scanctl_test {

using namespace std::chrono_literals;

nlohmann::json CommandRun::json() const {
  const auto parsed = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << out << "\nstderr: " << err;
  return parsed;
}

ScanctlFixture::ScanctlFixture() {
  std::filesystem::create_directories(data_dir());
  std::ofstream(scanners_yaml()) << R"(nessus:
  - instance_id: scanner1
    name: Scanner One
    url: https://operator:url-secret@127.0.0.1:8834
    username: admin
    password: scanner-password
    max_concurrent_scans: 2
  - instance_id: scanner2
    name: Scanner Two
    url: https://127.0.0.1:8835
    username: admin
    password: scanner-password
    max_concurrent_scans: 3
nessus_dmz:
  - instance_id: dmz1
    name: DMZ
    url: https://127.0.0.1:8836
    access_key: ak
    secret_key: sk
    max_concurrent_scans: 1
)";
}

CommandRun ScanctlFixture::scanctl(const std::vector<std::string>& args, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{testing::program_path("scanctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  env.try_emplace("REDIS_URL", redis_server_.url());
  env.try_emplace("DATA_DIR", data_dir().string());
  env.try_emplace("SCANNER_CONFIG", scanners_yaml().string());
  const auto stderr_file = dir_.path() / "scanctl.stderr";
  CommandRun run;
  {
    testing::ChildProcess child(std::move(argv), std::move(env), stderr_file.string());
    const auto code = child.wait(60s);
    EXPECT_TRUE(code.has_value()) << "scanctl did not exit";
    run.exit_code = code.value_or(-1);
    run.out = child.drain_stdout();
  }
  std::ostringstream err;
  err << std::ifstream(stderr_file).rdbuf();
  run.err = err.str();
  return run;
}

queue::RedisOptions ScanctlFixture::redis_options() const {
  queue::RedisOptions options;
  options.url = redis_server_.url();
  return options;
}

queue::TaskQueue ScanctlFixture::task_queue(const std::string& worker_id) const {
  return queue::TaskQueue(redis_options(), queue::QueueSettings{worker_id, 30000ms, 3});
}

std::string ScanctlFixture::redis_dump() {
  queue::RedisConnection connection = redis();
  std::string dump;
  const auto append = [&](const queue::RedisValue& value) {
    if (value.type == queue::RedisValue::Type::array) {
      for (const auto& element : value.elements) dump += element.text + "\n";
    } else {
      dump += value.text + "\n";
    }
  };
  for (const auto& key : connection.command({"KEYS", "*"}).elements) {
    dump += key.text + "\n";
    const std::string type = connection.command({"TYPE", key.text}).as_string();
    if (type == "string") append(connection.command({"GET", key.text}));
    if (type == "list") append(connection.command({"LRANGE", key.text, "0", "-1"}));
    if (type == "zset") append(connection.command({"ZRANGE", key.text, "0", "-1"}));
    if (type == "hash") append(connection.command({"HGETALL", key.text}));
    if (type == "set") append(connection.command({"SMEMBERS", key.text}));
  }
  return dump;
}

core::Task ScanctlFixture::write_task(const std::string& task_id, core::TaskStatus status, const std::string& pool,
                                      const std::string& targets, std::chrono::system_clock::time_point created_at) {
  core::Task task;
  task.task_id = task_id;
  task.trace_id = "trace-" + task_id;
  task.scan_type = "untrusted";
  task.status = status;
  task.scanner_pool = pool;
  task.created_at = created_at;
  task.payload = {{"targets", targets}, {"name", "scan " + task_id}, {"description", ""}, {"schema_profile", "brief"}};
  if (status != core::TaskStatus::queued) {
    task.started_at = created_at + 1s;
    task.scanner_instance_id = "scanner1";
  }
  if (core::is_terminal(status)) task.completed_at = created_at + 65s;
  store().write(task);
  return task;
}

}  // namespace sw::scanctl_test
