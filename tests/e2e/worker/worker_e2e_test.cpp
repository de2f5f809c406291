// End-to-end: tasks of each kind go through the real worker and simulator and end in
// the right state with the right validation_stats (and a results index beside the export).
#include "worker_fixture.hpp"

#include "results/results_index.hpp"

namespace sw::e2e {
namespace {

class ScanOutcomes : public WorkerE2E {
 protected:
  void SetUp() override {
    sim_ = &start_sim({"--scan-seconds", "0.5"});
    write_scanners({{"nessus", "scanner1", 4, sim_}});
  }
  testing::NessusSim* sim_ = nullptr;
};

TEST_F(ScanOutcomes, UntrustedScanCompletes) {
  start_worker("w1");
  const std::string id = submit("10.0.0.5");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::completed) << task.error_message.value_or("");
  EXPECT_EQ(task.authentication_status, "not_applicable");
  ASSERT_TRUE(task.validation_stats.is_object());
  EXPECT_EQ(task.validation_stats["hosts_scanned"], 1);
  EXPECT_GT(task.validation_stats["total_plugins"].get<int>(), 1);
  EXPECT_TRUE(task.nessus_scan_id.has_value());
  EXPECT_TRUE(task.started_at && task.completed_at);
  EXPECT_EQ(task.scanner_instance_id, "scanner1");
  EXPECT_TRUE(std::filesystem::exists(store_.export_path(id)));
  // Validation wrote the results index beside the export, in its own pass.
  const auto index = results::ResultsIndex::load(store_.export_path(id));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->item_count(), task.validation_stats["total_plugins"].get<std::uint64_t>());
  EXPECT_EQ(sim_->stats()["launches_total"], 1);
}

TEST_F(ScanOutcomes, AuthenticatedScanWhoseCredentialsWork) {
  start_worker("w1");
  const std::string id = submit("10.0.0.6, 10.0.0.7", "nessus", "s3cret-pass");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::completed) << task.error_message.value_or("");
  EXPECT_EQ(task.authentication_status, "success");
  EXPECT_EQ(task.validation_stats["hosts_scanned"], 2);
  EXPECT_EQ(task.payload["credentials"]["password"], "********");
  EXPECT_EQ(worker_log("w1").find("s3cret-pass"), std::string::npos);
}

TEST_F(ScanOutcomes, CredentialsFailingOnEveryHostFailTheTask) {
  start_worker("w1");
  const std::string id = submit("authfail-a.example, authfail-b.example", "nessus", "wrong");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::failed);
  EXPECT_EQ(task.authentication_status, "failed");
  ASSERT_TRUE(task.error_message);
  EXPECT_NE(task.error_message->find("authfail-a.example"), std::string::npos) << *task.error_message;
  // task.json turns terminal just before the DLQ entry is written
  std::optional<queue::DeadLetter> dead;
  ASSERT_TRUE(testing::eventually([&] { return (dead = queue().dlq_show("nessus", id)).has_value(); },
                                  std::chrono::seconds(10)));
  EXPECT_EQ(dead->entry["payload"]["credentials"]["password"], "********");
}

TEST_F(ScanOutcomes, CredentialsFailingOnSomeHostsArePartial) {
  start_worker("w1");
  const std::string id = submit("good.example, authfail-c.example", "nessus", "mixed");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::completed) << task.error_message.value_or("");
  EXPECT_EQ(task.authentication_status, "partial");
  ASSERT_FALSE(task.validation_warnings.empty());
  EXPECT_NE(task.validation_warnings.front().find("authfail-c.example"), std::string::npos);
}

TEST_F(ScanOutcomes, ScanAbortedBySimulatorFails) {
  start_worker("w1");
  const std::string id = submit("abort.example");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::failed);
  ASSERT_TRUE(task.error_message);
  EXPECT_NE(task.error_message->find("aborted"), std::string::npos) << *task.error_message;
}

TEST_F(ScanOutcomes, NeverFinishingScanTimesOutAndIsStopped) {
  start_worker("w1", {{"SCAN_TIMEOUT_SECONDS", "2"}});
  const std::string id = submit("never.example");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::timeout);
  EXPECT_TRUE(testing::eventually([&] { return sim_->stats()["stops"].get<int>() >= 1; }, std::chrono::seconds(10)));
}

TEST_F(ScanOutcomes, MalformedEntriesGoToTheDeadLetterQueue) {
  start_worker("w1");
  push_raw("nessus", "this is not json");
  push_raw("nessus", "[1,2,3]");
  push_raw("nessus", R"({"payload":{"targets":"h"}})");
  push_raw("nessus", R"({"task_id":"../../etc/x","payload":{"targets":"h"}})");
  const std::string good = submit("10.0.0.9");
  EXPECT_EQ(wait_terminal(good).status, core::TaskStatus::completed);
  ASSERT_TRUE(
      testing::eventually([&] { return queue().dlq_list("nessus", 0, 10).size() == 4; }, std::chrono::seconds(10)));
  std::string reasons;
  for (const auto& entry : queue().dlq_list("nessus", 0, 10)) reasons += entry.entry.dump() + "\n";
  EXPECT_NE(reasons.find("not valid JSON"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("this is not json"), std::string::npos);
  EXPECT_NE(reasons.find("missing task_id"), std::string::npos);
  EXPECT_NE(reasons.find("invalid task_id"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "etc"));
  EXPECT_TRUE(workers_.at("w1")->running());
}

}  // namespace
}  // namespace sw::e2e
