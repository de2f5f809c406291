// Tests of the lazily computed run state machine.
#include "sim/run.hpp"

#include <gtest/gtest.h>

namespace sw::sim {
namespace {

constexpr double t0 = 1000;
const RunTiming timing{2, 10, 1};

sim::Run make_run(RunOutcome outcome, std::size_t host_count = 4) {
  std::vector<RunHost> hosts;
  for (std::size_t i = 0; i < host_count; ++i) {
    hosts.push_back(RunHost{SimHost{"h" + std::to_string(i), "10.0.0." + std::to_string(i + 1)}, {}});
  }
  return Run("uuid", 7, t0, timing, outcome, hosts, "targets");
}

TEST(Run, GoesPendingRunningCompleted) {
  const sim::Run run = make_run(RunOutcome::complete);
  EXPECT_EQ(run.status(t0), "pending");
  EXPECT_EQ(run.status(t0 + 1.9), "pending");
  EXPECT_EQ(run.status(t0 + 2.1), "running");
  EXPECT_TRUE(run.active(t0 + 11.9));
  EXPECT_EQ(run.status(t0 + 12), "completed");
  EXPECT_FALSE(run.active(t0 + 12));
  EXPECT_EQ(run.ended_at(t0 + 20), t0 + 12);
  EXPECT_FALSE(run.ended_at(t0 + 5));
}

TEST(Run, HostsAppearProgressivelyAndFinishTogether) {
  const sim::Run run = make_run(RunOutcome::complete);
  EXPECT_TRUE(run.host_progress(t0 + 1).empty());
  const auto early = run.host_progress(t0 + 2.1);
  ASSERT_EQ(early.size(), 1U);
  EXPECT_GT(early[0].fraction, 0.0);
  const auto middle = run.host_progress(t0 + 2 + 4);
  ASSERT_EQ(middle.size(), 4U);
  EXPECT_GT(middle[0].fraction, middle[3].fraction);
  EXPECT_LT(middle[3].fraction, 1.0);
  for (const auto& host : run.host_progress(t0 + 30)) {
    EXPECT_EQ(host.fraction, 1.0);
  }
  EXPECT_EQ(run.host_progress(t0 + 30).size(), 4U);
}

TEST(Run, AbortsHalfWayOrNeverFinishes) {
  const sim::Run aborting = make_run(RunOutcome::abort);
  EXPECT_EQ(aborting.status(t0 + 6.9), "running");
  EXPECT_EQ(aborting.status(t0 + 7), "aborted");
  const sim::Run endless = make_run(RunOutcome::never_finish);
  EXPECT_EQ(endless.status(t0 + 1e6), "running");
  EXPECT_FALSE(endless.ended_at(t0 + 1e6));
}

TEST(Run, StopsThroughStopping) {
  sim::Run run = make_run(RunOutcome::complete);
  EXPECT_TRUE(run.stop(t0 + 5));
  EXPECT_EQ(run.status(t0 + 5.5), "stopping");
  EXPECT_EQ(run.status(t0 + 6), "canceled");
  EXPECT_EQ(run.ended_at(t0 + 100), t0 + 6);
  EXPECT_FALSE(run.stop(t0 + 7));
  EXPECT_FALSE(make_run(RunOutcome::complete).stop(t0 + 50));
}

TEST(Run, PauseFreezesProgressAndResumeContinues) {
  sim::Run run = make_run(RunOutcome::complete);
  EXPECT_FALSE(run.pause(t0 + 1));  // still pending
  EXPECT_TRUE(run.pause(t0 + 4));
  EXPECT_EQ(run.status(t0 + 4.5), "pausing");
  EXPECT_EQ(run.status(t0 + 100), "paused");
  const auto frozen = run.host_progress(t0 + 100);
  EXPECT_EQ(frozen.size(), run.host_progress(t0 + 5).size());
  EXPECT_FALSE(run.resume(t0 + 4.5));  // not paused yet
  EXPECT_TRUE(run.resume(t0 + 104));
  EXPECT_EQ(run.status(t0 + 104.5), "resuming");
  EXPECT_EQ(run.status(t0 + 105), "running");
  EXPECT_EQ(run.status(t0 + 111.9), "running");
  EXPECT_EQ(run.status(t0 + 112), "completed");  // 100 s paused
}

TEST(Run, KillAborts) {
  sim::Run run = make_run(RunOutcome::never_finish);
  EXPECT_TRUE(run.kill(t0 + 3));
  EXPECT_EQ(run.status(t0 + 3), "aborted");
  EXPECT_FALSE(run.kill(t0 + 4));
}

}  // namespace
}  // namespace sw::sim
