// Multi-process integration tests: consumer processes (queue_test_consumer) sharing one
// redis-server. Scanner limits hold cluster-wide, every task is processed, a consumer
// killed with SIGKILL loses nothing, and a Redis restart (with persistence) is survived.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "core/errors.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/redis_connection.hpp"
#include "queue/task_queue.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::queue {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

const std::vector<ScannerSlot> kScanners{{"s1", 2}, {"s2", 2}};

std::string task_json(int index) {
  return nlohmann::json{{"task_id", "task_" + std::to_string(index)},
                        {"scan_type", "untrusted"},
                        {"payload", {{"targets", "10.0.0." + std::to_string(index % 250)}}}}
      .dump();
}

void enqueue_tasks(const std::string& url, int count) {
  TaskQueue producer(RedisOptions{.url = url}, QueueSettings{"producer"});
  for (int i = 0; i < count; ++i) {
    producer.enqueue("nessus", task_json(i));
  }
}

std::unique_ptr<ChildProcess> start_consumer(const std::string& url, const std::string& worker_id,
                                             std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{
      QUEUE_TEST_CONSUMER_PROGRAM, "--redis", url, "--worker", worker_id, "--scanners", "s1:2,s2:2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto process = std::make_unique<ChildProcess>(argv);
  EXPECT_TRUE(process->wait_for_line("ready", 10s)) << worker_id;
  return process;
}

// task_id -> times processed, from the consumers' test:processed hash.
std::map<std::string, long long> processed(RedisConnection& redis) {
  const RedisValue all = redis.command({"HGETALL", "test:processed"});
  std::map<std::string, long long> out;
  for (std::size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    out[all.elements[i].as_string()] = std::stoll(all.elements[i + 1].as_string());
  }
  return out;
}

void expect_queue_drained(const std::string& url) {
  TaskQueue observer(RedisOptions{.url = url}, QueueSettings{"observer"});
  const auto stats = observer.stats("nessus", 1);
  EXPECT_EQ(stats.depth, 0u);
  EXPECT_EQ(stats.dead_letters, 0u);
  for (const auto& [worker, count] : stats.in_flight) {
    EXPECT_EQ(count, 0u) << worker;
  }
}

TEST(Consumers, ThreeConsumersTwoScannersTwoHundredTasks) {
  testing::RedisServer server;
  constexpr int kTasks = 200;
  enqueue_tasks(server.url(), kTasks);
  std::vector<std::unique_ptr<ChildProcess>> consumers;
  for (int i = 0; i < 3; ++i) {
    consumers.push_back(start_consumer(server.url(), "consumer-" + std::to_string(i), {"--work-ms", "15"}));
  }

  RedisConnection redis(RedisOptions{.url = server.url()});
  CapacityLeases observer(RedisOptions{.url = server.url()});
  std::map<std::string, int> max_active;
  std::size_t samples = 0;
  const bool finished = testing::eventually(
      [&] {
        for (const auto& load : observer.load("nessus", kScanners)) {
          max_active[load.instance_id] = std::max(max_active[load.instance_id], load.active);
        }
        ++samples;
        return redis.command({"HLEN", "test:processed"}).as_integer() == kTasks;
      },
      180s, 2ms);
  ASSERT_TRUE(finished);
  consumers.clear();  // SIGTERM: each finishes its task and unregisters

  EXPECT_GT(samples, 10u);
  EXPECT_LE(max_active["s1"], 2);
  EXPECT_LE(max_active["s2"], 2);
  EXPECT_GE(max_active["s1"], 1);
  EXPECT_GE(max_active["s2"], 1);
  EXPECT_EQ(redis.command({"SCARD", "test:violations"}).as_integer(), 0);
  const auto counts = processed(redis);
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(kTasks));
  for (const auto& [task_id, times] : counts) {
    EXPECT_EQ(times, 1) << task_id;
  }
  expect_queue_drained(server.url());
}

TEST(Consumers, KilledConsumersTasksAreRecoveredByAnother) {
  testing::RedisServer server;
  constexpr int kTasks = 30;
  constexpr auto kTtl = 600ms;
  constexpr auto kReapInterval = 200ms;
  enqueue_tasks(server.url(), kTasks);
  const std::vector<std::string> timing{"--ttl-ms", std::to_string(kTtl.count()), "--reap-ms",
                                        std::to_string(kReapInterval.count())};

  std::vector<std::string> holder_args = timing;
  holder_args.insert(holder_args.end(), {"--hold", "3", "--lease-ms", "1500"});
  auto holder = start_consumer(server.url(), "holder", holder_args);
  ASSERT_TRUE(holder->wait_for_line("holding 3", 10s));
  TaskQueue holder_view(RedisOptions{.url = server.url()}, QueueSettings{"holder"});
  ASSERT_EQ(holder_view.in_flight("nessus").size(), 3u);

  std::vector<std::unique_ptr<ChildProcess>> consumers;
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> args = timing;
    args.insert(args.end(), {"--work-ms", "10"});
    consumers.push_back(start_consumer(server.url(), "survivor-" + std::to_string(i), args));
  }
  holder->signal(SIGKILL);
  ASSERT_TRUE(holder->wait(5s));

  // Recovered within TTL + reaper interval (plus slack for a loaded machine).
  EXPECT_TRUE(testing::eventually([&] { return holder_view.in_flight("nessus").empty(); }, kTtl + kReapInterval + 3s));
  RedisConnection redis(RedisOptions{.url = server.url()});
  ASSERT_TRUE(testing::eventually(
      [&] {
        return redis.command({"HLEN", "test:processed"}).as_integer() == kTasks;
      },
      60s));
  consumers.clear();
  const auto counts = processed(redis);
  for (const auto& [task_id, times] : counts) {
    EXPECT_EQ(times, 1) << task_id;  // the holder never processed, so nothing ran twice
  }
  expect_queue_drained(server.url());
  TaskQueue observer(RedisOptions{.url = server.url()}, QueueSettings{"observer"});
  EXPECT_TRUE(observer.workers().empty());
}

// A redis-server with an append-only file fsynced on every write, so that a SIGKILL and a
// start on the same port and folder keep the data set.
class PersistentRedis {
 public:
  PersistentRedis() : port_(testing::free_port()) { start(); }
  ~PersistentRedis() { process_.reset(); }

  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  void start() {
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly",
        "yes", "--appendfsync", "always", "--dir", dir_.path().string(), "--loglevel", "warning"});
    RedisConnection probe(RedisOptions{
        .url = url(), .connect_timeout = 200ms, .reconnect_initial_backoff = 10ms, .reconnect_max_backoff = 50ms});
    const bool up = testing::eventually(
        [&] {
          try {
            return probe.command({"PING"}).as_string() == "PONG";
          } catch (const core::Error&) {
            return false;
          }
        },
        10s);
    if (!up) {
      throw std::runtime_error("redis-server with persistence did not start");
    }
  }

  void kill() {
    process_->signal(SIGKILL);
    process_->wait(5s);
    process_.reset();
  }

 private:
  testing::TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

TEST(Consumers, RedisRestartedMidRunConsumersReconnectAndFinish) {
  PersistentRedis server;
  constexpr int kTasks = 100;
  enqueue_tasks(server.url(), kTasks);
  std::vector<std::unique_ptr<ChildProcess>> consumers;
  for (int i = 0; i < 3; ++i) {
    consumers.push_back(start_consumer(server.url(), "consumer-" + std::to_string(i), {"--work-ms", "10"}));
  }
  {
    RedisConnection redis(RedisOptions{.url = server.url()});
    ASSERT_TRUE(testing::eventually([&] { return redis.command({"HLEN", "test:processed"}).as_integer() >= 20; }, 60s));
  }
  server.kill();
  server.start();

  RedisConnection redis(RedisOptions{.url = server.url()});
  ASSERT_TRUE(testing::eventually(
      [&] {
        return redis.command({"HLEN", "test:processed"}).as_integer() == kTasks;
      },
      120s));
  consumers.clear();
  // A command whose reply the restart cut off is finished again from the consumer's
  // in-flight list, so a task can be processed twice, at most once per consumer.
  long long repeats = 0;
  for (const auto& [task_id, times] : processed(redis)) {
    EXPECT_GE(times, 1) << task_id;
    repeats += times - 1;
  }
  EXPECT_LE(repeats, 3);
  expect_queue_drained(server.url());
}

}  // namespace
}  // namespace sw::queue
