// scanctl scanners, pools and workers: cluster-wide leases counted per scanner and pool,
// URLs without credentials, live and dead workers with their in-flight tasks.
#include <chrono>

#include "core/time.hpp"
#include "queue/capacity_leases.hpp"
#include "scanctl_fixture.hpp"

namespace sw::scanctl_test {
namespace {

using namespace std::chrono_literals;

class CapacityCommandsTest : public ScanctlFixture {};

TEST_F(CapacityCommandsTest, ScannersAndPoolsCountLeases) {
  queue::CapacityLeases leases(redis_options());
  const std::vector<queue::ScannerSlot> slots{{"scanner1", 2}, {"scanner2", 3}};
  ASSERT_EQ(leases.acquire("nessus", slots, "t1", 60s, std::string("scanner1")), "scanner1");
  ASSERT_EQ(leases.acquire("nessus", slots, "t2", 60s, std::string("scanner1")), "scanner1");
  ASSERT_EQ(leases.acquire("nessus", slots, "t3", 60s, std::string("scanner2")), "scanner2");

  CommandRun run = scanctl({"scanners", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto rows = run.json();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("instance_id"), "scanner1");
  EXPECT_EQ(rows[0].at("active"), 2);
  EXPECT_EQ(rows[0].at("available"), 0);
  EXPECT_DOUBLE_EQ(rows[0].at("utilisation").get<double>(), 1.0);
  EXPECT_EQ(rows[0].at("url"), "https://127.0.0.1:8834");
  EXPECT_EQ(rows[1].at("active"), 1);
  EXPECT_EQ(rows[1].at("capacity"), 3);
  EXPECT_EQ(rows[2].at("pool"), "nessus_dmz");
  for (const char* secret : {"url-secret", "scanner-password", "\"sk\"", "operator"}) {
    EXPECT_EQ(run.out.find(secret), std::string::npos) << secret;
  }

  run = scanctl({"scanners", "nessus_dmz"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("dmz1"), std::string::npos);
  EXPECT_EQ(run.out.find("scanner1"), std::string::npos);
  EXPECT_NE(run.out.find("UTILISATION"), std::string::npos);
  EXPECT_EQ(scanctl({"scanners", "nessus_nowhere"}).exit_code, 1);

  ASSERT_EQ(scanctl({"submit", "--targets", "10.0.0.1"}).exit_code, 0);
  run = scanctl({"pools", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto pools = run.json();
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0].at("pool"), "nessus");
  EXPECT_EQ(pools[0].at("capacity"), 5);
  EXPECT_EQ(pools[0].at("active"), 3);
  EXPECT_EQ(pools[0].at("available"), 2);
  EXPECT_EQ(pools[0].at("queue_depth"), 1);
  EXPECT_EQ(pools[1].at("capacity"), 1);
  run = scanctl({"pools"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("60%"), std::string::npos) << run.out;
}

TEST_F(CapacityCommandsTest, WorkersShowsLiveWorkersAndInFlightTasks) {
  ASSERT_EQ(scanctl({"workers"}).out, "no workers\n");
  ASSERT_EQ(scanctl({"submit", "--targets", "10.0.0.1"}).exit_code, 0);
  queue::TaskQueue worker = task_queue("worker-a");
  ASSERT_TRUE(worker.fetch("nessus", 0ms));
  worker.heartbeat({{"pools", {"nessus"}},
                    {"host", "host-a"},
                    {"pid", 1234},
                    {"heartbeat_at", core::format_iso(std::chrono::system_clock::now())}});

  CommandRun run = scanctl({"workers", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto rows = run.json();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("worker_id"), "worker-a");
  EXPECT_EQ(rows[0].at("alive"), true);
  EXPECT_EQ(rows[0].at("in_flight").at("nessus"), 1);
  EXPECT_EQ(rows[0].at("in_flight_total"), 1);
  EXPECT_LT(rows[0].at("heartbeat_age_seconds").get<double>(), 60.0);

  run = scanctl({"workers"});
  ASSERT_EQ(run.exit_code, 0);
  for (const char* part : {"WORKER", "worker-a", "alive", "nessus 1", "host-a", "ago"}) {
    EXPECT_NE(run.out.find(part), std::string::npos) << part << " in\n" << run.out;
  }
  redis().command({"DEL", "sw:worker:worker-a:alive"});
  EXPECT_EQ(scanctl({"workers", "--json"}).json().at(0).at("alive"), false);
}

}  // namespace
}  // namespace sw::scanctl_test
