// A consumer process for the queue integration tests: the worker's queue protocol without
// Nessus. It heartbeats, reaps dead workers, fetches tasks, dead-letters malformed ones,
// takes a scanner lease, "scans" for --work-ms and records the task in test keys
// (test:processed hash, test:active:{scanner} counters, test:violations set), then
// releases the lease and acknowledges. After any Redis error it first finishes the tasks
// left in its own in-flight list (a reply lost in a restart may have moved one there).
// With --hold N it only fetches N tasks (with leases) and keeps them, heartbeating, until
// killed. Prints "ready" and "holding N" on stdout. Stops on SIGTERM.
#include <csignal>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include <unistd.h>

#include "core/errors.hpp"
#include "core/task_message.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/task_queue.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_sigterm(int) { stop_requested = 1; }

using namespace std::chrono_literals;
using sw::queue::CapacityLeases;
using sw::queue::RedisConnection;
using sw::queue::RedisOptions;
using sw::queue::ScannerSlot;
using sw::queue::TaskQueue;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string redis_url;
  std::string pool = "nessus";
  std::string worker_id;
  std::chrono::milliseconds heartbeat_ttl{1000};
  std::chrono::milliseconds reap_interval{200};
  std::chrono::milliseconds work{20};
  std::chrono::milliseconds lease_ttl{5000};
  std::vector<ScannerSlot> scanners;
  int hold = 0;
};

std::vector<ScannerSlot> parse_scanners(const std::string& text) {  // "s1:2,s2:2"
  std::vector<ScannerSlot> slots;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto colon = item.find(':');
    slots.push_back(ScannerSlot{item.substr(0, colon), std::stoi(item.substr(colon + 1))});
    start = comma == std::string::npos ? text.size() : comma + 1;
  }
  return slots;
}

Options parse_options(int argc, char** argv) {
  std::map<std::string, std::string> values;
  for (int i = 1; i + 1 < argc; i += 2) {
    values[argv[i]] = argv[i + 1];
  }
  Options options;
  options.redis_url = values.at("--redis");
  options.worker_id = values.at("--worker");
  options.pool = values.count("--pool") ? values["--pool"] : options.pool;
  const auto millis = [&](const char* key, std::chrono::milliseconds fallback) {
    return values.count(key) ? std::chrono::milliseconds(std::stoll(values[key])) : fallback;
  };
  options.heartbeat_ttl = millis("--ttl-ms", options.heartbeat_ttl);
  options.reap_interval = millis("--reap-ms", options.reap_interval);
  options.work = millis("--work-ms", options.work);
  options.lease_ttl = millis("--lease-ms", options.lease_ttl);
  options.scanners = parse_scanners(values.count("--scanners") ? values["--scanners"] : "s1:2,s2:2");
  options.hold = values.count("--hold") ? std::stoi(values["--hold"]) : 0;
  return options;
}

class Consumer {
 public:
  explicit Consumer(Options options)
      : options_(std::move(options)),
        redis_options_{.url = options_.redis_url, .connect_timeout = 1000ms, .command_timeout = 2000ms},
        queue_(redis_options_, {options_.worker_id, options_.heartbeat_ttl, 3}),
        leases_(redis_options_),
        bookkeeping_(redis_options_) {}

  void run() {
    std::cout << "ready" << std::endl;
    bool reconcile = false;
    while (stop_requested == 0) {
      try {
        keep_alive();
        if (options_.hold > 0) {
          hold_tasks();
        } else {
          if (reconcile) {
            for (const auto& raw : queue_.in_flight(options_.pool)) {
              process(raw);
            }
            reconcile = false;
          }
          if (const auto raw = queue_.fetch(options_.pool, 100ms)) {
            process(*raw);
          }
        }
      } catch (const sw::core::Error& error) {
        std::cerr << options_.worker_id << ": " << sw::core::to_string(error.kind()) << ": " << error.what() << "\n";
        reconcile = true;
        std::this_thread::sleep_for(50ms);
      }
    }
    if (options_.hold == 0) {
      queue_.unregister();
    }
  }

 private:
  void keep_alive() {
    const auto now = Clock::now();
    if (now - last_heartbeat_ >= options_.heartbeat_ttl / 4) {
      queue_.heartbeat({{"pid", ::getpid()}});
      last_heartbeat_ = now;
    }
    if (now - last_reap_ >= options_.reap_interval) {
      queue_.reap_dead_workers({options_.pool});
      last_reap_ = now;
    }
  }

  void hold_tasks() {
    if (held_ < options_.hold) {
      if (const auto raw = queue_.fetch(options_.pool, 100ms)) {
        const auto message = sw::core::parse_task_message(*raw, options_.pool);
        leases_.acquire(options_.pool, options_.scanners, message.task_id, options_.lease_ttl, std::nullopt);
        if (++held_ == options_.hold) {
          std::cout << "holding " << held_ << std::endl;
        }
      }
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }

  void process(const std::string& raw) {
    sw::core::TaskMessage message;
    try {
      message = sw::core::parse_task_message(raw, options_.pool);
    } catch (const sw::core::Error& error) {
      if (error.kind() != sw::core::ErrorKind::bad_input) {
        throw;
      }
      queue_.dead_letter(options_.pool, raw, error.what());
      return;
    }
    const auto scanner = leases_.acquire(options_.pool, options_.scanners, message.task_id, options_.lease_ttl,
                                         message.scanner_instance_id);
    if (!scanner) {
      queue_.defer(options_.pool, raw);
      std::this_thread::sleep_for(10ms);
      return;
    }
    const int limit = limit_of(*scanner);
    const long long active = bookkeeping_.command({"INCR", "test:active:" + *scanner}).as_integer();
    if (active > limit) {
      bookkeeping_.command({"SADD", "test:violations", *scanner + " had " + std::to_string(active)});
    }
    std::this_thread::sleep_for(options_.work);
    bookkeeping_.command({"DECR", "test:active:" + *scanner});
    bookkeeping_.command({"HINCRBY", "test:processed", message.task_id, "1"});
    leases_.release(options_.pool, *scanner, message.task_id);
    queue_.acknowledge(options_.pool, raw);
  }

  int limit_of(const std::string& scanner) const {
    for (const auto& slot : options_.scanners) {
      if (slot.instance_id == scanner) {
        return slot.limit;
      }
    }
    return 0;
  }

  Options options_;
  RedisOptions redis_options_;
  TaskQueue queue_;
  CapacityLeases leases_;
  RedisConnection bookkeeping_;
  Clock::time_point last_heartbeat_{};
  Clock::time_point last_reap_{};
  int held_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGTERM, on_sigterm);
  try {
    Consumer consumer(parse_options(argc, argv));
    consumer.run();
  } catch (const std::exception& error) {
    std::cerr << "consumer failed: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
