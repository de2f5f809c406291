// The views the front ends share: advice on failures, masked queue entries, scanner URLs.
#include "service/views.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace sw::service {
namespace {

TEST(Views, FailureHintSaysWhatToDo) {
  core::Task task;
  task.task_id = "t1";
  task.scanner_pool = "nessus";
  task.status = core::TaskStatus::completed;
  EXPECT_FALSE(failure_hint(task));
  task.status = core::TaskStatus::failed;
  task.authentication_status = "failed";
  EXPECT_NE(failure_hint(task)->find("SSH credentials"), std::string::npos);
  task.authentication_status.reset();
  task.error_message = "cancelled by request";
  EXPECT_NE(failure_hint(task)->find("cancelled"), std::string::npos);
  task.status = core::TaskStatus::timeout;
  EXPECT_NE(failure_hint(task)->find("SCAN_TIMEOUT_SECONDS"), std::string::npos);
}

TEST(Views, QueueEntrySummaryNeverShowsSecrets) {
  const auto summary =
      queue_entry_summary(R"({"task_id":"t1","scan_type":"authenticated","payload":{"targets":"10.0.0.1","name":"n",)"
                          R"("credentials":{"username":"u","password":"hunter2"}}})");
  EXPECT_EQ(summary["task_id"], "t1");
  EXPECT_EQ(summary["targets"], "10.0.0.1");
  EXPECT_EQ(summary.dump().find("hunter2"), std::string::npos);
  const auto raw = queue_entry_summary("not json password=hunter2");
  EXPECT_TRUE(raw["task_id"].is_null());
  EXPECT_EQ(raw.dump().find("hunter2"), std::string::npos);
}

TEST(Views, UrlWithoutCredentials) {
  EXPECT_EQ(url_without_credentials("https://user:pass@host:8834/x"), "https://host:8834/x");
  EXPECT_EQ(url_without_credentials("https://host:8834/a@b"), "https://host:8834/a@b");
}

TEST(Views, SelectedPoolsNameTheConfiguredOnes) {
  const auto scanners = config::parse_scanners_config(
      "nessus:\n  - instance_id: s1\n    url: https://a:8834\n    username: u\n    password: p\n"
      "nessus_dmz:\n  - instance_id: s2\n    url: https://b:8834\n    username: u\n    password: p\n",
      "scanners.yaml");
  EXPECT_EQ(selected_pools(scanners, "").size(), 2u);
  EXPECT_EQ(pool_names(scanners), (std::vector<std::string>{"nessus", "nessus_dmz"}));
  try {
    selected_pools(scanners, "nope");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("nessus, nessus_dmz"), std::string::npos);
  }
}

}  // namespace
}  // namespace sw::service
