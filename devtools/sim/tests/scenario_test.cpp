// Tests of scenario rules.
#include "sim/scenario.hpp"

#include <gtest/gtest.h>

namespace sw::sim {
namespace {

using exportgen::HostAuth;

TEST(ScenarioRules, BuiltInRulesMatchHostNames) {
  const ScenarioRules rules;
  EXPECT_EQ(rules.outcome_for_host("10.0.0.1"), RunOutcome::complete);
  EXPECT_EQ(rules.outcome_for_host("abort-me.lab"), RunOutcome::abort);
  EXPECT_EQ(rules.outcome_for_host("host-never.lab"), RunOutcome::never_finish);
  EXPECT_EQ(rules.auth_for_host("web", true), HostAuth::success);
  EXPECT_EQ(rules.auth_for_host("authfail.lab", true), HostAuth::failure);
  EXPECT_EQ(rules.auth_for_host("authpriv.lab", true), HostAuth::insufficient_privilege);
  EXPECT_EQ(rules.auth_for_host("nocreds.lab", true), HostAuth::not_attempted);
}

TEST(ScenarioRules, ScansWithoutCredentialsAreNotAttempted) {
  const ScenarioRules rules;
  EXPECT_EQ(rules.auth_for_host("authfail.lab", false), HostAuth::not_attempted);
  EXPECT_EQ(rules.auth_for_host("web", false), HostAuth::not_attempted);
}

TEST(ScenarioRules, NewerOverridesWin) {
  ScenarioRules rules;
  rules.add_override({"dmz", Scenario::abort});
  rules.add_override({"dmz", Scenario::never_finish});
  rules.add_override({"abort", Scenario::complete});
  rules.add_override({"10.0.0.", Scenario::auth_fail});
  EXPECT_EQ(rules.outcome_for_host("dmz1"), RunOutcome::never_finish);
  EXPECT_EQ(rules.outcome_for_host("abort.lab"), RunOutcome::complete);
  EXPECT_EQ(rules.auth_for_host("10.0.0.7", true), HostAuth::failure);
  // An outcome rule does not decide authentication and the other way round.
  EXPECT_EQ(rules.auth_for_host("dmz1", true), HostAuth::success);
  EXPECT_EQ(rules.outcome_for_host("10.0.0.7"), RunOutcome::complete);
}

TEST(ScenarioRules, CombinesOutcomesAbortFirst) {
  EXPECT_EQ(combine_outcomes(RunOutcome::complete, RunOutcome::never_finish), RunOutcome::never_finish);
  EXPECT_EQ(combine_outcomes(RunOutcome::abort, RunOutcome::never_finish), RunOutcome::abort);
  EXPECT_EQ(combine_outcomes(RunOutcome::complete, RunOutcome::complete), RunOutcome::complete);
}

TEST(ScenarioRules, ParsesNames) {
  EXPECT_EQ(parse_scenario("auth_insufficient_privilege"), Scenario::auth_insufficient_privilege);
  EXPECT_EQ(to_string(Scenario::never_finish), "never_finish");
  EXPECT_FALSE(parse_scenario("explode"));
}

}  // namespace
}  // namespace sw::sim
