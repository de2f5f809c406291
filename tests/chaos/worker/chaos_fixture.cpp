// The chaos fixture.
#include "chaos_fixture.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/task_id.hpp"
#include "queue/capacity_leases.hpp"

namespace sw::chaos {

namespace {

unsigned seed_from_environment() {
  const int configured = env_int("CHAOS_SEED", 0);
  return configured != 0 ? static_cast<unsigned>(configured) : std::random_device{}();
}

}  // namespace

ChaosTest::ChaosTest()
    : data_dir_(dir_.path() / "data"), scanners_path_(dir_.path() / "scanners.yaml"), store_(data_dir_) {
  const unsigned seed = seed_from_environment();
  random_.seed(seed);
  std::cout << "chaos seed " << seed << " (CHAOS_SEED to repeat)" << std::endl;
  std::filesystem::create_directories(data_dir_);
  queue_ =
      std::make_unique<queue::TaskQueue>(queue::RedisOptions{redis_.url()}, queue::QueueSettings{"chaos-producer"});
}

ChaosTest::~ChaosTest() {
  for (auto& [id, worker] : workers_) {
    worker->stop(std::chrono::milliseconds(3000));
  }
}

int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::atoi(text) : fallback;
}

testing::NessusSim& ChaosTest::add_scanner(const std::string& instance_id, int limit, std::vector<std::string> args,
                                           const std::string& pool) {
  for (const char* quick : {"--pending-seconds", "--export-seconds"}) {
    if (std::find(args.begin(), args.end(), quick) == args.end()) {
      args.insert(args.end(), {quick, "0.2"});
    }
  }
  scanners_.push_back({pool, instance_id, limit, std::make_unique<testing::NessusSim>(std::move(args))});
  write_scanners();
  return *scanners_.back().sim;
}

testing::NessusSim& ChaosTest::sim(const std::string& instance_id) {
  for (auto& scanner : scanners_) {
    if (scanner.instance_id == instance_id) return *scanner.sim;
  }
  throw std::invalid_argument("no scanner " + instance_id);
}

void ChaosTest::write_scanners() const {
  std::ofstream out(scanners_path_);
  std::map<std::string, std::vector<const Scanner*>> by_pool;
  for (const auto& scanner : scanners_) by_pool[scanner.pool].push_back(&scanner);
  for (const auto& [pool, list] : by_pool) {
    out << pool << ":\n";
    for (const auto* s : list) {
      out << "  - instance_id: " << s->instance_id << "\n    name: " << s->instance_id << "\n    url: " << s->sim->url()
          << "\n    username: nessus\n    password: nessus\n    max_concurrent_scans: " << s->limit << "\n";
    }
  }
}

void ChaosTest::start_worker(const std::string& worker_id, const WorkerLaunch& launch) {
  std::map<std::string, std::string> env = {
      {"REDIS_URL", redis_.url()},
      {"DATA_DIR", data_dir_.string()},
      {"SCANNER_CONFIG", scanners_path_.string()},
      {"WORKER_ID", worker_id},
      {"LOG_LEVEL", "INFO"},
      {"POLL_INTERVAL_SECONDS", "0.1"},
      {"HEARTBEAT_TTL_SECONDS", "1"},
      {"SHUTDOWN_GRACE_SECONDS", "1"},
      {"EXPORT_TIMEOUT_SECONDS", "20"},
      // The kills are ours: a task in flight during several of them is not a poison task.
      {"MAX_DELIVERIES", "1000"},
      {"METRICS_ADDR", ""},
  };
  for (const auto& [name, value] : launch.env) env[name] = value;
  std::vector<std::string> argv{testing::program_path("scanner-worker")};
  if (launch.max_open_files > 0) {
    // prlimit sets the limit, then execs the worker in the same process (same pid).
    const std::string limit = std::to_string(launch.max_open_files);
    argv.insert(argv.begin(), {"/usr/bin/prlimit", "--nofile=" + limit + ":" + limit, "--"});
  }
  workers_[worker_id] =
      std::make_unique<testing::ChildProcess>(std::move(argv), env, (dir_.path() / (worker_id + ".log")).string());
}

void ChaosTest::kill_worker(const std::string& worker_id) {
  auto& worker = workers_.at(worker_id);
  worker->signal(SIGKILL);
  worker->wait(std::chrono::milliseconds(5000));
  workers_.erase(worker_id);
  ++kills_;
}

std::vector<std::string> ChaosTest::live_workers() const {
  std::vector<std::string> ids;
  for (const auto& [id, worker] : workers_) ids.push_back(id);
  return ids;
}

bool ChaosTest::worker_running(const std::string& worker_id) {
  const auto it = workers_.find(worker_id);
  return it != workers_.end() && it->second->running();
}

std::string ChaosTest::worker_log(const std::string& worker_id) const {
  std::ifstream in(dir_.path() / (worker_id + ".log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ChaosTest::restart_redis(std::chrono::milliseconds down) {
  redis_.crash();
  std::this_thread::sleep_for(down);  // the outage itself, not a synchronisation
  redis_.start();
  queue_ =
      std::make_unique<queue::TaskQueue>(queue::RedisOptions{redis_.url()}, queue::QueueSettings{"chaos-producer"});
}

std::string ChaosTest::submit(const std::string& target, const std::string& pool) {
  const std::string id = "chaos_" + std::to_string(task_ids_.size() + 1) + "_" + core::random_hex(6);
  const nlohmann::json message = {
      {"task_id", id},
      {"trace_id", core::generate_uuid4()},
      {"scan_type", "untrusted"},
      {"scanner_pool", pool},
      {"scanner_instance_id", nullptr},
      {"payload",
       {{"targets", target}, {"name", "chaos " + target}, {"description", ""}, {"schema_profile", "brief"}}}};
  queue_->enqueue(pool, message.dump());
  task_ids_.push_back(id);
  return id;
}

void ChaosTest::push_raw(const std::string& raw, const std::string& pool) { queue_->enqueue(pool, raw); }

std::optional<core::Task> ChaosTest::task(const std::string& id) const { return store_.read(id); }

int ChaosTest::terminal_count() const {
  int terminal = 0;
  for (const auto& id : task_ids_) {
    const auto record = store_.read(id);
    terminal += record && core::is_terminal(record->status) ? 1 : 0;
  }
  return terminal;
}

bool ChaosTest::run_until_terminal(std::chrono::seconds timeout, const std::function<void()>& tick) {
  return testing::eventually(
      [&] {
        if (terminal_count() == static_cast<int>(task_ids_.size())) return true;
        tick();
        return false;
      },
      timeout, std::chrono::milliseconds(100));
}

int ChaosTest::launches_of(const std::string& task_id) const {
  const std::string suffix = "[" + task_id + "]";
  int total = 0;
  for (const auto& scanner : scanners_) {
    const auto stats = scanner.sim->stats();
    for (const auto& [name, count] : stats["launches_by_name"].items()) {
      if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        total += count.get<int>();
      }
    }
  }
  return total;
}

ChaosFigures ChaosTest::figures() {
  ChaosFigures f;
  f.tasks = static_cast<int>(task_ids_.size());
  f.kills = kills_;
  for (const auto& id : task_ids_) {
    const auto record = store_.read(id);
    if (!record || !core::is_terminal(record->status)) {
      ++f.lost;
      continue;
    }
    if (record->status == core::TaskStatus::completed) {
      ++f.completed;
    } else {
      ++f.failed;
      f.failed_without_reason += record->error_message.value_or("").empty() ? 1 : 0;
      f.failures[id] = record->error_message.value_or("");
    }
    f.duplicate_launches += std::max(0, launches_of(id) - 1);
  }
  std::map<std::string, std::vector<queue::ScannerSlot>> slots;
  for (const auto& scanner : scanners_) {
    f.peak_running[scanner.instance_id] = scanner.sim->stats()["peak_running"].get<int>();
    f.limits[scanner.instance_id] = scanner.limit;
    slots[scanner.pool].push_back({scanner.instance_id, scanner.limit});
  }
  queue::CapacityLeases leases(queue::RedisOptions{redis_.url()});
  const auto active_leases = [&] {
    int active = 0;
    for (const auto& [pool, pool_slots] : slots) active += leases.pool_load(pool, pool_slots).active;
    return active;
  };
  // A killed worker's lease lapses at its expiry; a finished task's is released at once.
  testing::eventually([&] { return active_leases() == 0; }, std::chrono::seconds(30), std::chrono::milliseconds(200));
  f.active_leases = active_leases();
  for (const auto& [pool, pool_slots] : slots) f.dead_letters += static_cast<int>(queue_->stats(pool, 0).dead_letters);
  return f;
}

void ChaosTest::report_and_check(const ChaosFigures& f) {
  std::ostringstream line;
  line << "CHAOS " << ::testing::UnitTest::GetInstance()->current_test_info()->name() << ": tasks=" << f.tasks
       << " kills=" << f.kills << " lost=" << f.lost << " completed=" << f.completed << " failed=" << f.failed
       << " duplicate_launches=" << f.duplicate_launches << " dead_letters=" << f.dead_letters
       << " active_leases=" << f.active_leases << " peak";
  for (const auto& [id, peak] : f.peak_running) line << " " << id << "=" << peak << "/" << f.limits.at(id);
  std::cout << line.str() << std::endl;
  for (const auto& [task_id, error] : f.failures) std::cout << "  failed " << task_id << ": " << error << std::endl;
  EXPECT_EQ(f.lost, 0);
  EXPECT_EQ(f.duplicate_launches, 0);
  EXPECT_EQ(f.active_leases, 0);
  EXPECT_EQ(f.failed_without_reason, 0);
  for (const auto& [id, peak] : f.peak_running) EXPECT_LE(peak, f.limits.at(id)) << "scanner " << id;
}

}  // namespace sw::chaos
