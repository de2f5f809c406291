// The MCP protocol and tools against a real redis-server and a temporary DATA_DIR: the
// lifecycle, tools/list, tool errors that say what to do, submission as the Python server
// did it (with idempotency), status, results of a generated export, cancel, resources and
// the stdio transport.
#include "mcp/protocol.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/task.hpp"
#include "exportgen/export_writer.hpp"
#include "mcp/stdio_transport.hpp"
#include "queue/task_queue.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::mcp {
namespace {

using nlohmann::json;

class ProtocolTest : public ::testing::Test {
 protected:
  ProtocolTest() : protocol_("test") {
    auto shared = std::make_shared<SharedConfig>();
    shared->settings.environment.data_dir = dir_.path() / "tasks";
    shared->settings.max_targets = 5;
    shared->redis.url = redis_.url();
    shared->scanners = config::parse_scanners_config(
        "nessus:\n  - instance_id: scanner1\n    url: https://user:pw@a:8834\n    username: u\n    password: p\n"
        "nessus_dmz:\n  - instance_id: dmz1\n    url: https://b:8834\n    username: u\n    password: p\n",
        "scanners.yaml");
    std::filesystem::create_directories(shared->settings.environment.data_dir);
    backend_ = std::make_unique<Backend>(shared);
    json init = request("initialize", {{"protocolVersion", "2025-06-18"},
                                       {"capabilities", json::object()},
                                       {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    EXPECT_EQ(init["result"]["protocolVersion"], "2025-06-18");
  }

  json request(const std::string& method, json params = json::object()) {
    const json message{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}};
    return protocol_.handle(message, session_, *backend_, [this](const json& n) { notifications_.push_back(n); })
        .value();
  }

  json call(const std::string& tool, json arguments) {
    const json answer = request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
    EXPECT_TRUE(answer.contains("result")) << answer.dump();
    return answer["result"];
  }

  std::string error_text(const json& result) {
    EXPECT_EQ(result.value("isError", false), true) << result.dump();
    return result["content"][0]["text"].get<std::string>();
  }

  testing::RedisServer redis_;
  testing::TempDir dir_;
  std::unique_ptr<Backend> backend_;
  Protocol protocol_;
  SessionState session_;
  std::vector<json> notifications_;
  int id_ = 0;
};

TEST_F(ProtocolTest, LifecycleAndErrors) {
  SessionState fresh;
  const json early{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}};
  EXPECT_EQ(protocol_.handle(early, fresh, *backend_, {}).value()["error"]["code"], -32600);
  const json init{{"jsonrpc", "2.0"},
                  {"id", 2},
                  {"method", "initialize"},
                  {"params", {{"protocolVersion", "1999-01-01"}, {"capabilities", json::object()}}}};
  EXPECT_EQ(protocol_.handle(init, fresh, *backend_, {}).value()["result"]["protocolVersion"], "2025-11-25");
  const json initialized{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  EXPECT_FALSE(protocol_.handle(initialized, fresh, *backend_, {}));
  EXPECT_EQ(request("ping")["result"], json::object());
  EXPECT_EQ(request("frobnicate")["error"]["code"], -32601);
  EXPECT_EQ(request("tools/call", {{"name", "nope"}})["error"]["code"], -32602);
  EXPECT_EQ(request("tools/list")["result"]["tools"].size(), 13u);
}

TEST_F(ProtocolTest, ToolErrorsSayWhatToDo) {
  EXPECT_NE(error_text(call("run_untrusted_scan", {{"targets", "10.0.0.300"}, {"name", "n"}})).find("10.0.0.300"),
            std::string::npos);
  EXPECT_NE(error_text(call("run_untrusted_scan", {{"targets", "a,b,c,d,e,f"}, {"name", "n"}})).find("at most 5"),
            std::string::npos);
  EXPECT_NE(error_text(call("run_untrusted_scan", {{"targets", "10.0.0.1"}, {"name", "n"}, {"scanner_pool", "x"}}))
                .find("nessus, nessus_dmz"),
            std::string::npos);
  EXPECT_NE(error_text(call("run_untrusted_scan", {{"targets", "10.0.0.1"}, {"name", "n"}, {"bogus", 1}}))
                .find("unknown argument 'bogus'"),
            std::string::npos);
  EXPECT_NE(
      error_text(call("run_authenticated_scan",
                      {{"targets", "10.0.0.1"}, {"name", "n"}, {"scan_type", "authenticated"}, {"credential_id", "x"}}))
          .find("MCP_CREDENTIALS_FILE"),
      std::string::npos);
  EXPECT_NE(error_text(call("get_scan_status", {{"task_id", "../etc"}})).find("not a task id"), std::string::npos);
  EXPECT_EQ(redis_.cli({"DBSIZE"}), "0\n");
}

TEST_F(ProtocolTest, SubmitRepeatConflictStatusAndCancel) {
  const json arguments{{"targets", "10.0.0.0/30"}, {"name", "servers"},         {"scan_type", "authenticated"},
                       {"ssh_username", "u"},      {"ssh_password", "hunter2"}, {"idempotency_key", "k1"}};
  const json first = call("run_authenticated_scan", arguments)["structuredContent"];
  EXPECT_EQ(first["status"], "queued");
  EXPECT_EQ(first["idempotent"], false);
  const std::string task_id = first["task_id"];
  std::ifstream task_file(dir_.path() / "tasks" / task_id / "task.json");
  std::stringstream task_json;
  task_json << task_file.rdbuf();
  EXPECT_EQ(task_json.str().find("hunter2"), std::string::npos);
  EXPECT_NE(task_json.str().find("********"), std::string::npos);

  const json repeat = call("run_authenticated_scan", arguments)["structuredContent"];
  EXPECT_EQ(repeat["task_id"], task_id);
  EXPECT_EQ(repeat["idempotent"], true);
  json other = arguments;
  other["targets"] = "10.0.1.0/30";
  EXPECT_NE(error_text(call("run_authenticated_scan", other)).find(task_id), std::string::npos);
  const long long ttl = std::stoll(redis_.cli({"TTL", "sw:idempotency:k1"}));
  EXPECT_GT(ttl, 47 * 3600);
  EXPECT_LE(ttl, 48 * 3600);

  const json status = call("get_scan_status", {{"task_id", task_id}})["structuredContent"];
  EXPECT_EQ(status["status"], "queued");
  EXPECT_EQ(status["targets"], "10.0.0.0/30");
  const json queue = call("get_queue_status", json::object())["structuredContent"];
  EXPECT_EQ(queue["queue_depth"], 1);
  EXPECT_EQ(queue.dump().find("hunter2"), std::string::npos);
  EXPECT_EQ(call("list_tasks", {{"target_filter", "10.0.0.2"}})["structuredContent"]["total"], 1);
  EXPECT_EQ(call("list_tasks", {{"target_filter", "10.0.9.2"}})["structuredContent"]["total"], 0);

  const json cancelled = call("cancel_scan", {{"task_id", task_id}})["structuredContent"];
  EXPECT_EQ(cancelled["cancellation"], "removed_from_queue");
  EXPECT_EQ(cancelled["status"], "failed");
  EXPECT_NE(error_text(call("cancel_scan", {{"task_id", task_id}})).find("already ended"), std::string::npos);
  EXPECT_NE(error_text(call("get_scan_results", {{"task_id", task_id}})).find("status: failed"), std::string::npos);
}

TEST_F(ProtocolTest, ResultsOfACompletedTaskArePagedAndStatusWaitsWithProgress) {
  const json submitted = call("run_untrusted_scan", {{"targets", "10.0.0.1"}, {"name", "web"}})["structuredContent"];
  const std::string task_id = submitted["task_id"];
  store::TaskStore& store = backend_->store();
  exportgen::ExportSpec spec;
  spec.hosts = {exportgen::HostSpec("10.0.0.1", "10.0.0.1", exportgen::HostAuth::not_attempted, 30)};
  {
    std::ofstream out(store.export_path(task_id));
    out << exportgen::write_export(spec);
  }
  store.update(task_id, [](core::Task& task) {
    task.status = core::TaskStatus::running;
    task.started_at = std::chrono::system_clock::now();
  });
  store.update(task_id, [](core::Task& task) {
    task.status = core::TaskStatus::completed;
    task.completed_at = std::chrono::system_clock::now();
    task.validation_stats = {{"hosts_scanned", 1}, {"total_vulnerabilities", 20}};
  });
  const json result = call("get_scan_results", {{"task_id", task_id}, {"page_size", 10}, {"page", 2}});
  const json structured = result["structuredContent"];
  EXPECT_EQ(structured["vulnerabilities"].size(), 10u);
  EXPECT_EQ(structured["pagination"]["page"], 2);
  EXPECT_EQ(structured["schema"]["type"], "schema");
  const std::string text = result["content"][0]["text"];
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 13);
  const json filtered =
      call("get_scan_results", {{"task_id", task_id}, {"filters", {{"severity", ">=4"}}}, {"page", 0}});
  for (const auto& record : filtered["structuredContent"]["vulnerabilities"]) EXPECT_EQ(record["severity"], "4");

  const json waited = request("tools/call", {{"name", "get_scan_status"},
                                             {"arguments", {{"task_id", task_id}, {"wait_seconds", 5}}},
                                             {"_meta", {{"progressToken", "p1"}}}});
  EXPECT_EQ(waited["result"]["structuredContent"]["status"], "completed");
  EXPECT_EQ(waited["result"]["structuredContent"]["results_summary"]["hosts_scanned"], 1);
  ASSERT_EQ(notifications_.size(), 1u);
  EXPECT_EQ(notifications_[0]["method"], "notifications/progress");
  EXPECT_EQ(notifications_[0]["params"]["progressToken"], "p1");
  EXPECT_EQ(notifications_[0]["params"]["progress"], 100.0);

  const json resources = request("resources/list")["result"]["resources"];
  ASSERT_EQ(resources.size(), 2u);
  const json summary = request("resources/read", {{"uri", "scan://" + task_id + "/summary"}})["result"];
  EXPECT_NE(summary["contents"][0]["text"].get<std::string>().find("completed"), std::string::npos);
  const json page = request("resources/read", {{"uri", "scan://" + task_id + "/findings?page=1"}})["result"];
  EXPECT_NE(page["contents"][0]["text"].get<std::string>().find("\"vulnerability\""), std::string::npos);
  EXPECT_EQ(request("resources/read", {{"uri", "scan://nope/summary"}})["error"]["code"], -32002);
}

TEST_F(ProtocolTest, DeadLettersAreListedAndRetried) {
  const std::string untrusted =
      call("run_untrusted_scan", {{"targets", "10.0.0.1"}, {"name", "web"}})["structuredContent"]["task_id"];
  const std::string authenticated =
      call("run_authenticated_scan", {{"targets", "10.0.0.2"},
                                      {"name", "ssh"},
                                      {"scan_type", "authenticated"},
                                      {"ssh_username", "u"},
                                      {"ssh_password", "hunter2"}})["structuredContent"]["task_id"];
  queue::TaskQueue worker(queue::RedisOptions{redis_.url()},
                          queue::QueueSettings{"test-worker", std::chrono::milliseconds(30000), 3});
  for (const auto& id : {untrusted, authenticated}) {
    const auto raw = worker.fetch("nessus", std::chrono::milliseconds(0));
    ASSERT_TRUE(raw);
    worker.dead_letter("nessus", *raw, "scanner exploded", json::object(), id);
  }
  const json letters = call("get_dead_letters", json::object())["structuredContent"];
  EXPECT_EQ(letters["total"], 2);
  EXPECT_EQ(letters["dead_letters"][0]["error"], "scanner exploded");
  EXPECT_EQ(letters.dump().find("hunter2"), std::string::npos);

  const json retried = call("retry_failed_task", {{"task_id", untrusted}})["structuredContent"];
  EXPECT_EQ(retried["retried"], 1);
  EXPECT_EQ(retried["scanner_pool"], "nessus");
  EXPECT_EQ(call("get_queue_status", json::object())["structuredContent"]["queue_depth"], 1);
  EXPECT_NE(error_text(call("retry_failed_task", {{"task_id", authenticated}})).find("run_authenticated_scan"),
            std::string::npos);
  EXPECT_NE(error_text(call("retry_failed_task", {{"task_id", untrusted}})).find("no dead letter"), std::string::npos);
}

TEST_F(ProtocolTest, StdioAnswersLineByLine) {
  std::istringstream in(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
      "\n"
      "not json\n"
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"list_pools\"}}\n");
  std::ostringstream out;
  EXPECT_EQ(serve_stdio(in, out, protocol_, *backend_), 4u);
  std::istringstream lines(out.str());
  std::vector<json> answers;
  for (std::string line; std::getline(lines, line);) answers.push_back(json::parse(line));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(answers[1]["error"]["code"], -32700);
  EXPECT_EQ(answers[2]["result"]["structuredContent"]["pools"], json::array({"nessus", "nessus_dmz"}));
}

}  // namespace
}  // namespace sw::mcp
