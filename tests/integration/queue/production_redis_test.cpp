// Production Redis against real servers: TLS (rediss://, a private CA, client
// certificates, a wrong CA refused), ACL users, and a Sentinel failover in the middle of a
// run of queue operations that loses nothing and launches nothing twice.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/errors.hpp"
#include "queue/redis_connection.hpp"
#include "queue/task_queue.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/test_certificates.hpp"

namespace sw::queue {
namespace {

using namespace std::chrono_literals;

RedisOptions tls_options(const std::string& url, const testing::TestCertificates& certificates) {
  RedisOptions options{.url = url, .connect_timeout = 2000ms, .command_timeout = 2000ms};
  options.tls.ca_file = certificates.ca_file().string();
  return options;
}

// The error `action` throws.
template <typename Action>
core::Error error_of(Action action) {
  try {
    action();
  } catch (const core::Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return core::Error(core::ErrorKind::internal, "none");
}

TEST(ProductionRedis, TlsWithAPrivateCaCarriesTheQueue) {
  const testing::TestCertificates certificates;
  testing::RedisServer server({.tls = &certificates});
  ASSERT_TRUE(server.url().starts_with("rediss://"));

  TaskQueue queue(tls_options(server.url(), certificates), QueueSettings{"tls-worker"});
  queue.enqueue("nessus", R"({"task_id":"tls_1"})");
  const auto raw = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, R"({"task_id":"tls_1"})");
  EXPECT_TRUE(queue.acknowledge("nessus", *raw));
  // The same server by name: the certificate names localhost too (SNI and host-name check).
  RedisConnection by_name(tls_options("rediss://localhost:" + std::to_string(server.port()), certificates));
  EXPECT_EQ(by_name.command({"PING"}).as_string(), "PONG");
}

TEST(ProductionRedis, TlsRefusesAServerThatTheCaDidNotSign) {
  const testing::TestCertificates certificates;
  testing::RedisServer server({.tls = &certificates});
  RedisOptions options = tls_options(server.url(), certificates);
  options.tls.ca_file = certificates.other_ca_file().string();
  RedisConnection redis(options);
  const core::Error error = error_of([&] { redis.command({"PING"}); });
  const std::string message = error.what();
  EXPECT_EQ(error.kind(), core::ErrorKind::auth) << message;
  EXPECT_NE(message.find("TLS certificate of " + server.url() + " is not accepted"), std::string::npos) << message;
  EXPECT_NE(message.find("REDIS_CA_FILE " + certificates.other_ca_file().string()), std::string::npos) << message;
}

TEST(ProductionRedis, TlsRefusesACertificateForAnotherHost) {
  const testing::TestCertificates certificates;
  testing::RedisServer server({.tls = &certificates, .tls_misnamed_certificate = true});
  RedisConnection redis(tls_options(server.url(), certificates));
  const core::Error error = error_of([&] { redis.command({"PING"}); });
  EXPECT_EQ(error.kind(), core::ErrorKind::auth) << error.what();
  EXPECT_NE(std::string(error.what()).find("mismatch"), std::string::npos) << error.what();
}

TEST(ProductionRedis, TlsClientCertificateWhenTheServerRequiresOne) {
  const testing::TestCertificates certificates;
  testing::RedisServer server({.tls = &certificates, .extra_arguments = {"--tls-auth-clients", "yes"}});
  RedisConnection without(tls_options(server.url(), certificates));
  const core::Error refused = error_of([&] { without.command({"PING"}); });
  EXPECT_TRUE(refused.kind() == core::ErrorKind::network || refused.kind() == core::ErrorKind::auth) << refused.what();

  RedisOptions options = tls_options(server.url(), certificates);
  options.tls.client_cert_file = certificates.client_cert().string();
  options.tls.client_key_file = certificates.client_key().string();
  RedisConnection with(options);
  EXPECT_EQ(with.command({"PING"}).as_string(), "PONG");
}

TEST(ProductionRedis, AclUserAndPassword) {
  testing::RedisServer server;
  RedisConnection admin(RedisOptions{.url = server.url()});
  admin.command({"ACL", "SETUSER", "scanner", "on", ">s3cret/pw", "~sw:*", "&*", "+@all"});
  const std::string authority = "127.0.0.1:" + std::to_string(server.port());

  RedisConnection user(RedisOptions{.url = "redis://scanner:s3cret%2Fpw@" + authority});
  EXPECT_EQ(user.command({"ACL", "WHOAMI"}).as_string(), "scanner");
  user.command({"SET", "sw:acl-check", "1"});
  const core::Error outside = error_of([&] { user.command({"SET", "elsewhere", "1"}); });
  EXPECT_EQ(outside.kind(), core::ErrorKind::server);
  EXPECT_NE(std::string(outside.what()).find("NOPERM"), std::string::npos) << outside.what();

  RedisConnection wrong(RedisOptions{.url = "redis://scanner:wrong-secret@" + authority});
  const core::Error refused = error_of([&] { wrong.command({"PING"}); });
  EXPECT_EQ(refused.kind(), core::ErrorKind::auth);
  EXPECT_EQ(std::string(refused.what()).find("wrong-secret"), std::string::npos) << refused.what();
  EXPECT_EQ(std::string(refused.what()).find("scanner:"), std::string::npos) << refused.what();
}

// One master, one replica, one sentinel; both servers refuse writes without a replica
// (min-replicas-to-write 1), as docs/redis.md asks. The ledger is a separate server that
// plays the outside world (Nessus): it is not failed over.
class SentinelCluster {
 public:
  static constexpr const char* kMaster = "mymaster";

  SentinelCluster()
      : master_({.extra_arguments = kSafeWrites}),
        replica_({.replica_of_port = master_.port(), .extra_arguments = kSafeWrites}) {
    const bool linked = testing::eventually(
        [&] {
          return replica_.cli({"info", "replication"}).find("master_link_status:up") != std::string::npos;
        },
        20s, 50ms);
    if (!linked) throw std::runtime_error("the replica did not connect to the master");
    sentinel_ = std::make_unique<testing::RedisSentinel>(kMaster, master_.port());
    const bool known = testing::eventually(
        [&] {
          return sentinel_->cli({"sentinel", "replicas", kMaster}).find("flags\nslave\n") != std::string::npos;
        },
        30s, 100ms);
    if (!known) throw std::runtime_error("the sentinel did not discover the replica");
  }

  RedisOptions options() const {
    RedisOptions options{.url = "redis://127.0.0.1:1",  // host and port come from the sentinel
                         .connect_timeout = 1000ms,
                         .command_timeout = 2000ms,
                         .reconnect_initial_backoff = 20ms,
                         .reconnect_max_backoff = 300ms};
    options.sentinels = {{"127.0.0.1", sentinel_->port()}};
    options.sentinel_master = kMaster;
    return options;
  }

  // The port the sentinel names for the master now.
  int master_port() const {
    const std::string answer = sentinel_->cli({"sentinel", "get-master-addr-by-name", kMaster});
    const auto newline = answer.find('\n');
    return newline == std::string::npos ? 0 : std::atoi(answer.c_str() + newline + 1);
  }

  const testing::RedisServer& master() const { return master_; }
  const testing::RedisServer& replica() const { return replica_; }
  const testing::RedisSentinel& sentinel() const { return *sentinel_; }

 private:
  inline static const std::vector<std::string> kSafeWrites{"--min-replicas-to-write", "1", "--min-replicas-max-lag",
                                                           "10"};
  testing::RedisServer master_;
  testing::RedisServer replica_;
  std::unique_ptr<testing::RedisSentinel> sentinel_;
};

TEST(ProductionRedis, SentinelNamesTheMaster) {
  SentinelCluster cluster;
  RedisConnection redis(cluster.options());
  redis.command({"SET", "sw:where", "master"});
  EXPECT_EQ(cluster.master().cli({"get", "sw:where"}), "master\n");
  // A pipeline is confirmed by a replica once (one WAIT after it) and answers its own
  // commands only.
  const auto replies = redis.pipeline({{"INCR", "sw:count"}, {"GET", "sw:where"}});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].as_integer(), 1);
  EXPECT_EQ(replies[1].as_string(), "master");
}

TEST(ProductionRedis, SentinelThatDoesNotKnowTheMasterIsAClearError) {
  SentinelCluster cluster;
  RedisOptions options = cluster.options();
  options.sentinel_master = "other";
  RedisConnection redis(options);
  const core::Error error = error_of([&] { redis.command({"PING"}); });
  EXPECT_EQ(error.kind(), core::ErrorKind::network);
  EXPECT_NE(std::string(error.what()).find("names the master 'other'"), std::string::npos) << error.what();
}

std::string task_json(int index) {
  return nlohmann::json{{"task_id", "task_" + std::to_string(index)}, {"scan_type", "untrusted"}}.dump();
}

std::string task_id_of(const std::string& raw) { return nlohmann::json::parse(raw).at("task_id").get<std::string>(); }

// A consumer as the worker runs one, without Nessus: fetch, claim, "launch" when the task
// has no scan record (counted in the ledger), record it, "scan", acknowledge. After a Redis
// error it first finishes its own in-flight entries (a lost reply may have moved one there).
class Consumer {
 public:
  Consumer(const RedisOptions& options, const std::string& ledger_url, int index)
      : queue_(options, QueueSettings{"consumer-" + std::to_string(index), 300s, 3}),
        ledger_(RedisOptions{.url = ledger_url}) {}

  void run(const std::atomic<bool>& stop) {
    bool reconcile = false;
    while (!stop) {
      try {
        if (reconcile) {
          for (const auto& raw : queue_.in_flight("nessus")) process(raw);
          reconcile = false;
        }
        if (const auto raw = queue_.fetch("nessus", 100ms)) {
          ledger_.command({"HINCRBY", "fetched", task_id_of(*raw), "1"});
          process(*raw);
        }
      } catch (const core::Error&) {
        ledger_.command({"INCR", "redis_errors"});
        reconcile = true;
      }
    }
  }

 private:
  void process(const std::string& raw) {
    const std::string task_id = task_id_of(raw);
    if (!queue_.claim_task(task_id, 600s).ours()) {
      queue_.discard("nessus", raw);
      return;
    }
    if (!queue_.scan_record(task_id)) {
      ledger_.command({"HINCRBY", "launched", task_id, "1"});
      try {
        queue_.save_scan_record(task_id, {{"scan_id", 1}});
      } catch (const core::Error&) {
        // Whether the record was written is unknown: a repeat launch of this task is
        // allowed (the worker asks Nessus in that case, see src/worker/task_runner.cpp).
        ledger_.command({"SADD", "launch_unrecorded", task_id});
        throw;
      }
    }
    std::this_thread::sleep_for(20ms);  // the scan
    if (queue_.acknowledge("nessus", raw, task_id)) {
      ledger_.command({"HINCRBY", "acknowledged", task_id, "1"});
    }
  }

  TaskQueue queue_;
  RedisConnection ledger_;
};

std::map<std::string, long long> counts(RedisConnection& ledger, const std::string& key) {
  const RedisValue all = ledger.command({"HGETALL", key});
  std::map<std::string, long long> out;
  for (std::size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    out[all.elements[i].as_string()] = std::stoll(all.elements[i + 1].as_string());
  }
  return out;
}

TEST(ProductionRedis, SentinelFailoverMidRunLosesNothingAndLaunchesNothingTwice) {
  SentinelCluster cluster;
  testing::RedisServer ledger_server;
  RedisConnection ledger(RedisOptions{.url = ledger_server.url()});
  constexpr int kTasks = 300;
  {
    TaskQueue producer(cluster.options(), QueueSettings{"producer"});
    for (int i = 0; i < kTasks; ++i) producer.enqueue("nessus", task_json(i));
  }

  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      Consumer consumer(cluster.options(), ledger_server.url(), i);
      consumer.run(stop);
    });
  }
  const auto launched = [&] { return ledger.command({"HLEN", "launched"}).as_integer(); };
  ASSERT_TRUE(testing::eventually([&] { return launched() >= kTasks / 5; }, 60s));
  EXPECT_EQ(cluster.sentinel().cli({"sentinel", "failover", SentinelCluster::kMaster}), "OK\n");
  ASSERT_TRUE(testing::eventually([&] { return cluster.master_port() == cluster.replica().port(); }, 30s, 50ms));
  const long long launched_at_switch = launched();

  TaskQueue observer(cluster.options(), QueueSettings{"observer"});
  const auto drained = [&] {
    try {
      const QueueStats stats = observer.stats("nessus", 1);
      std::size_t in_flight = 0;
      for (const auto& [worker, count] : stats.in_flight) in_flight += count;
      return launched() == kTasks && stats.depth == 0 && in_flight == 0;
    } catch (const core::Error&) {
      return false;  // the old master is still being turned into a replica
    }
  };
  const bool finished = testing::eventually(drained, 180s, 50ms);
  stop = true;
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(finished);

  EXPECT_LT(launched_at_switch, kTasks) << "the failover came after the run";
  EXPECT_FALSE(ledger.command({"GET", "redis_errors"}).is_nil()) << "the consumers never noticed the failover";
  EXPECT_EQ(observer.stats("nessus", 1).dead_letters, 0u);
  // Nothing lost: every task was launched and is gone from the queue and the in-flight
  // lists (a fetch whose reply the failover cut off is not counted as fetched: its
  // consumer found the task in its in-flight list). Nothing twice: no task was delivered
  // twice, acknowledged twice, or launched twice unless its scan record's write was cut off.
  const auto fetched = counts(ledger, "fetched");
  const auto launches = counts(ledger, "launched");
  const auto acknowledged = counts(ledger, "acknowledged");
  EXPECT_EQ(launches.size(), static_cast<std::size_t>(kTasks));
  EXPECT_GE(fetched.size(), static_cast<std::size_t>(kTasks) - 3 * 3);
  for (const auto& [task_id, times] : fetched) EXPECT_EQ(times, 1) << task_id << " delivered twice";
  for (const auto& [task_id, times] : acknowledged) EXPECT_EQ(times, 1) << task_id << " acknowledged twice";
  for (const auto& [task_id, times] : launches) {
    const bool unrecorded = ledger.command({"SISMEMBER", "launch_unrecorded", task_id}).as_integer() == 1;
    EXPECT_LE(times, unrecorded ? 2 : 1) << task_id << " launched twice";
  }
  EXPECT_LE(ledger.command({"SCARD", "launch_unrecorded"}).as_integer(), 3);
  for (int i = 0; i < kTasks; ++i) {
    EXPECT_FALSE(observer.scan_record("task_" + std::to_string(i))) << i;
  }
}

}  // namespace
}  // namespace sw::queue
