// queue::IdempotencyKeys against a real redis-server: claim, repeat, conflict, release
// (only one's own claim), expiry, bad keys, and fingerprints that ignore secrets.
#include <chrono>

#include "core/errors.hpp"
#include "queue/idempotency.hpp"
#include "scanctl_fixture.hpp"

namespace sw::scanctl_test {
namespace {

using namespace std::chrono_literals;
using queue::ClaimOutcome;

class IdempotencyTest : public ScanctlFixture {};

TEST_F(IdempotencyTest, ClaimRepeatConflictAndRelease) {
  queue::IdempotencyKeys keys(redis_options(), 3600s);
  EXPECT_EQ(keys.claim("k", "task-1", "fp-a").outcome, ClaimOutcome::claimed);
  auto claim = keys.claim("k", "task-2", "fp-a");
  EXPECT_EQ(claim.outcome, ClaimOutcome::repeated);
  EXPECT_EQ(claim.task_id, "task-1");
  claim = keys.claim("k", "task-3", "fp-b");
  EXPECT_EQ(claim.outcome, ClaimOutcome::conflicting);
  EXPECT_EQ(claim.task_id, "task-1");
  const long long ttl = redis().command({"TTL", "sw:idempotency:k"}).as_integer();
  EXPECT_GT(ttl, 3500);
  EXPECT_LE(ttl, 3600);

  keys.release("k", "task-2");  // not its claim: kept
  EXPECT_EQ(keys.claim("k", "task-4", "fp-a").task_id, "task-1");
  keys.release("k", "task-1");
  EXPECT_EQ(keys.claim("k", "task-5", "fp-b").outcome, ClaimOutcome::claimed);
  keys.release("absent", "task-1");
}

TEST_F(IdempotencyTest, ExpiredClaimsAreFreeAgain) {
  queue::IdempotencyKeys keys(redis_options(), 1s);
  EXPECT_EQ(keys.claim("short", "task-1", "fp").outcome, ClaimOutcome::claimed);
  EXPECT_TRUE(testing::eventually(
      [&] {
        return redis().command({"EXISTS", "sw:idempotency:short"}).as_integer() == 0;
      },
      10s));
  EXPECT_EQ(keys.claim("short", "task-2", "fp-other").outcome, ClaimOutcome::claimed);
}

TEST_F(IdempotencyTest, BadKeysAndUnreadableClaims) {
  queue::IdempotencyKeys keys(redis_options());
  EXPECT_THROW(keys.claim("", "t", "fp"), core::Error);
  EXPECT_THROW(keys.claim(std::string(257, 'k'), "t", "fp"), core::Error);
  EXPECT_THROW(keys.claim("line\nbreak", "t", "fp"), core::Error);
  redis().command({"SET", "sw:idempotency:junk", "not json"});
  try {
    keys.claim("junk", "t", "fp");
    ADD_FAILURE() << "an unreadable claim must not be taken over";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::bad_input);
  }
}

TEST(IdempotencyFingerprint, IgnoresSecretsAndKeyOrder) {
  const nlohmann::json a{
      {"payload", {{"targets", "10.0.0.1"}, {"credentials", {{"username", "u"}, {"password", "one"}}}}}};
  const nlohmann::json b = nlohmann::json::parse(
      R"({"payload": {"credentials": {"password": "two", "username": "u"}, "targets": "10.0.0.1"}})");
  const nlohmann::json c{
      {"payload", {{"targets", "10.0.0.2"}, {"credentials", {{"username", "u"}, {"password", "one"}}}}}};
  const std::string fingerprint = queue::parameters_fingerprint(a);
  EXPECT_EQ(fingerprint.size(), 64u);
  EXPECT_EQ(fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(fingerprint, queue::parameters_fingerprint(b));
  EXPECT_NE(fingerprint, queue::parameters_fingerprint(c));
}

}  // namespace
}  // namespace sw::scanctl_test
