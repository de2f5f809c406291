// Chaos test of bad inputs: malformed queue entries (not JSON, wrong types, huge fields,
// path tricks in task ids) and a scanner whose exports fail. Each ends in the DLQ or as a
// failed task with a reason, nothing is written outside DATA_DIR, the workers keep running
// and still complete a good task afterwards.
#include <set>

#include "chaos_fixture.hpp"
#include "core/task_id.hpp"

namespace sw::chaos {
namespace {

using std::chrono::seconds;

TEST_F(ChaosTest, BadInputsEndInTheDeadLetterQueueOrFailAndNothingEscapesDataDir) {
  add_scanner("scanner1", 4, {"--scan-seconds", "0.5"});
  add_scanner("broken_exports", 2, {"--scan-seconds", "0.5", "--export-error"}, "nessus_exporterr");
  start_worker("w1");
  start_worker("w2");

  const std::string escape = "chaos-escape-" + core::random_hex(8);
  const auto message = [](const nlohmann::json& task_id, const nlohmann::json& payload) {
    return nlohmann::json{{"task_id", task_id}, {"scan_type", "untrusted"}, {"payload", payload}}.dump();
  };
  const nlohmann::json good_payload = {{"targets", "10.9.0.1"}};
  // Entries no worker may turn into a task: each must reach the DLQ.
  const std::vector<std::string> rejected = {
      "this is not json {",
      "[1, 2, 3]",
      "\"just a string\"",
      "{\"task_id\": \"chaos_truncated\", \"payload\": {\"targets\": ",
      message(42, good_payload),
      message(nullptr, good_payload),
      nlohmann::json{{"task_id", "chaos_bad_scan_type"}, {"scan_type", 7}, {"payload", good_payload}}.dump(),
      nlohmann::json{{"task_id", "chaos_unknown_scan_type"}, {"scan_type", "root_please"}, {"payload", good_payload}}
          .dump(),
      message("chaos_payload_string", "10.9.0.1"),
      message("chaos_targets_number", {{"targets", 12345}}),
      message("chaos_no_targets", nlohmann::json::object()),
      nlohmann::json{
          {"task_id", "chaos_auth_without_credentials"}, {"scan_type", "authenticated"}, {"payload", good_payload}}
          .dump(),
      message(std::string(100000, 'a'), good_payload),
      message("../" + escape, good_payload),
      message("../../" + escape, good_payload),
      message("..", good_payload),
      message(".", good_payload),
      message("/tmp/" + escape, good_payload),
      message("sub/" + escape, good_payload),
      message(std::string("nul\0byte", 8), good_payload),
  };
  for (const auto& raw : rejected) push_raw(raw);
  // Valid ids with odd content: each ends terminal or in the DLQ, never stuck.
  const std::vector<std::string> odd_ids = {"chaos_huge_targets", "chaos_huge_description"};
  push_raw(message(odd_ids[0], {{"targets", std::string(1 << 20, '9')}}));
  push_raw(message(odd_ids[1], {{"targets", "10.9.0.2"}, {"description", std::string(4 << 20, 'd')}}));
  const std::string export_fails = submit("10.9.0.3", "nessus_exporterr");

  const auto settled = [&](const std::string& id) {
    const auto record = task(id);
    return (record && core::is_terminal(record->status)) || queue_->dlq_show("nessus", id).has_value();
  };
  EXPECT_TRUE(testing::eventually(
      [&] {
        const auto stats = queue_->stats("nessus", 0);
        std::size_t in_flight = 0;
        for (const auto& [worker, count] : stats.in_flight) in_flight += count;
        return stats.depth == 0 && in_flight == 0 && settled(odd_ids[0]) && settled(odd_ids[1]) &&
               stats.dead_letters >= rejected.size();
      },
      seconds(120), std::chrono::milliseconds(100)));
  // The scanner reports every export failed (status "error"): the task must fail soon
  // with a reason, not retry the export for minutes.
  const auto export_deadline = seconds(90);
  const bool export_ended = testing::eventually(
      [&] {
        const auto record = task(export_fails);
        return record && core::is_terminal(record->status);
      },
      export_deadline, std::chrono::milliseconds(100));
  const auto exported = task(export_fails);
  ASSERT_TRUE(exported);
  EXPECT_TRUE(export_ended) << "task " << export_fails << " on a scanner whose exports end in status 'error' is still "
                            << core::to_string(exported->status) << " after " << export_deadline.count()
                            << " s: the worker treats a failed export as a transient scanner error and retries it "
                               "for its whole transient budget (exports.cpp wait_until_ready: status 'error' "
                               "-> ErrorKind::server; task_runner.cpp with_retries; transient_budget 300 s)";
  EXPECT_EQ(exported->status, core::TaskStatus::failed);
  EXPECT_FALSE(exported->error_message.value_or("").empty());
  const auto letter = queue_->dlq_show("nessus_exporterr", export_fails);
  ASSERT_TRUE(letter);
  EXPECT_FALSE(letter->error.empty());

  std::size_t rejected_found = 0;
  for (const auto& dead : queue_->dlq_list("nessus", 0, 1000)) {
    EXPECT_FALSE(dead.error.empty()) << dead.member.substr(0, 200);
    const bool odd = dead.task_id && std::find(odd_ids.begin(), odd_ids.end(), *dead.task_id) != odd_ids.end();
    rejected_found += odd ? 0 : 1;
  }
  EXPECT_EQ(rejected_found, rejected.size());

  // Nothing outside DATA_DIR: the test folder holds only what the test wrote, and no
  // escape name exists anywhere a path trick could reach.
  const std::set<std::string> expected = {"data", "scanners.yaml", "w1.log", "w2.log"};
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_TRUE(expected.count(entry.path().filename().string())) << "unexpected " << entry.path();
  }
  for (const auto& place : {dir_.path(), dir_.path().parent_path(), std::filesystem::path("/tmp"), data_dir_}) {
    EXPECT_FALSE(std::filesystem::exists(place / escape)) << place / escape;
  }
  EXPECT_FALSE(std::filesystem::exists(data_dir_ / "sub"));

  // The workers survived and still work.
  for (const char* id : {"w1", "w2"}) EXPECT_TRUE(worker_running(id)) << id;
  const std::string good = submit("10.9.0.4");
  EXPECT_TRUE(run_until_terminal(seconds(60)));
  ASSERT_TRUE(task(good));
  EXPECT_EQ(task(good)->status, core::TaskStatus::completed);

  auto f = figures();
  std::cout << "CHAOS bad inputs: queue_entries_rejected=" << rejected.size() << " dlq_rejected=" << rejected_found
            << " export_error_task=" << core::to_string(exported->status) << std::endl;
  report_and_check(f);
}

}  // namespace
}  // namespace sw::chaos
