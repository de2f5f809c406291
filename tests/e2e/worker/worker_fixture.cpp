// The e2e fixture.
#include "worker_fixture.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/task_id.hpp"
#include "support/process.hpp"

namespace sw::e2e {

WorkerE2E::WorkerE2E()
    : data_dir_(dir_.path() / "data"), scanners_path_(dir_.path() / "scanners.yaml"), store_(data_dir_) {
  std::filesystem::create_directories(data_dir_);
  queue_ = std::make_unique<queue::TaskQueue>(queue::RedisOptions{redis_.url()}, queue::QueueSettings{"e2e-producer"});
}

testing::NessusSim& WorkerE2E::start_sim(std::vector<std::string> args) {
  for (const char* quick : {"--pending-seconds", "--export-seconds"}) {
    if (std::find(args.begin(), args.end(), quick) == args.end()) {
      args.insert(args.end(), {quick, "0.2"});
    }
  }
  sims_.push_back(std::make_unique<testing::NessusSim>(std::move(args)));
  return *sims_.back();
}

void WorkerE2E::write_scanners(const std::vector<ScannerSpec>& scanners) {
  std::map<std::string, std::vector<const ScannerSpec*>> by_pool;
  for (const auto& s : scanners) by_pool[s.pool].push_back(&s);
  std::ofstream out(scanners_path_);
  for (const auto& [pool, list] : by_pool) {
    out << pool << ":\n";
    for (const auto* s : list) {
      out << "  - instance_id: " << s->instance_id << "\n"
          << "    name: " << s->instance_id << "\n"
          << "    url: " << s->sim->url() << "\n"
          << "    username: nessus\n"
          << "    password: ${SIM_PASSWORD:-nessus}\n"
          << "    max_concurrent_scans: " << s->max_concurrent_scans << "\n";
    }
  }
}

testing::ChildProcess& WorkerE2E::start_worker(const std::string& worker_id, std::map<std::string, std::string> env) {
  const std::string metrics_port = std::to_string(testing::free_port());
  std::map<std::string, std::string> full = {
      {"REDIS_URL", redis_.url()},
      {"DATA_DIR", data_dir_.string()},
      {"SCANNER_CONFIG", scanners_path_.string()},
      {"WORKER_ID", worker_id},
      {"LOG_LEVEL", "DEBUG"},
      {"POLL_INTERVAL_SECONDS", "0.1"},
      {"HEARTBEAT_TTL_SECONDS", "1"},
      {"SHUTDOWN_GRACE_SECONDS", "1"},
      {"EXPORT_TIMEOUT_SECONDS", "20"},
      {"METRICS_ADDR", "127.0.0.1:" + metrics_port},
      {"HOUSEKEEPING_INTERVAL_HOURS", "1"},
  };
  for (auto& [key, value] : env) full[key] = value;
  metrics_ports_[worker_id] = metrics_port;
  auto& slot = workers_[worker_id];
  slot = std::make_unique<testing::ChildProcess>(std::vector<std::string>{testing::program_path("scanner-worker")},
                                                 full, (dir_.path() / (worker_id + ".log")).string());
  return *slot;
}

std::string WorkerE2E::worker_log(const std::string& worker_id) const {
  std::ifstream in(dir_.path() / (worker_id + ".log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string WorkerE2E::submit(const std::string& targets, const std::string& pool, const std::string& password,
                              std::optional<std::string> scanner) {
  const std::string id = "e2e_" + std::to_string(++submitted_) + "_" + core::random_hex(6);
  nlohmann::json payload = {
      {"targets", targets}, {"name", "e2e " + targets}, {"description", ""}, {"schema_profile", "brief"}};
  if (!password.empty()) {
    payload["credentials"] = {{"type", "ssh"},
                              {"username", "scanuser"},
                              {"password", password},
                              {"auth_method", "password"},
                              {"elevate_privileges_with", "Nothing"}};
  }
  nlohmann::json message = {{"task_id", id},
                            {"trace_id", core::generate_uuid4()},
                            {"scan_type", password.empty() ? "untrusted" : "authenticated"},
                            {"scanner_pool", pool},
                            {"payload", payload}};
  message["scanner_instance_id"] = scanner ? nlohmann::json(*scanner) : nlohmann::json(nullptr);
  queue_->enqueue(pool, message.dump());
  return id;
}

void WorkerE2E::push_raw(const std::string& pool, const std::string& raw) { queue_->enqueue(pool, raw); }

std::optional<core::Task> WorkerE2E::task(const std::string& id) const { return store_.read(id); }

core::Task WorkerE2E::wait_terminal(const std::string& id, std::chrono::seconds timeout) {
  std::optional<core::Task> last;
  const bool done = testing::eventually(
      [&] {
        last = store_.read(id);
        return last && core::is_terminal(last->status);
      },
      timeout, std::chrono::milliseconds(50));
  if (!done) {
    ADD_FAILURE() << "task " << id << " not terminal; status "
                  << (last ? std::string(core::to_string(last->status)) : "absent");
    return last.value_or(core::Task{});
  }
  return *last;
}

}  // namespace sw::e2e
