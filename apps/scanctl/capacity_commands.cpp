// scanctl scanners, pools and workers: per-scanner capacity against the cluster-wide
// leases, per-pool sums with queue depth, and the live workers with their in-flight tasks.
// Scanner URLs are shown without any user-info; no credential is ever printed.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/time.hpp"
#include "queue/capacity_leases.hpp"
#include "service/views.hpp"
#include "settings.hpp"
#include "terminal.hpp"

namespace sw::scanctl {
namespace {

struct CapacityOptions {
  Settings settings;
  std::string pool;
};

std::string percent(double fraction) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", fraction * 100);
  return text;
}

Colour load_colour(double utilisation) {
  if (utilisation >= 1.0) return Colour::red;
  return utilisation >= 0.75 ? Colour::yellow : Colour::green;
}

int show_scanners(const CapacityOptions& options) {
  const config::ScannersConfig scanners = options.settings.scanners();
  queue::CapacityLeases leases(options.settings.redis());
  nlohmann::json rows = nlohmann::json::array();
  for (const auto* pool : service::selected_pools(scanners, options.pool)) {
    const auto loads = leases.load(pool->name, queue::scanner_slots(*pool));
    for (const auto& load : loads) {
      const auto* scanner = pool->find(load.instance_id);
      rows.push_back({{"pool", pool->name},
                      {"instance_id", load.instance_id},
                      {"name", scanner ? scanner->name : ""},
                      {"url", scanner ? service::url_without_credentials(scanner->url) : ""},
                      {"capacity", load.limit},
                      {"active", load.active},
                      {"available", load.available()},
                      {"utilisation", load.utilisation()}});
    }
  }
  if (options.settings.json) {
    print_json(rows);
    return exit_ok;
  }
  Table table({"POOL", "SCANNER", "NAME", "CAPACITY", "ACTIVE", "AVAILABLE", "UTILISATION", "URL"});
  for (const auto& row : rows) {
    const double utilisation = row["utilisation"].get<double>();
    table.add({{row["pool"].get<std::string>()},
               {row["instance_id"].get<std::string>()},
               {row["name"].get<std::string>()},
               {std::to_string(row["capacity"].get<int>())},
               {std::to_string(row["active"].get<int>())},
               {std::to_string(row["available"].get<int>())},
               {percent(utilisation), load_colour(utilisation)},
               {row["url"].get<std::string>()}});
  }
  table.print(std::cout);
  return exit_ok;
}

int show_pools(const CapacityOptions& options) {
  const config::ScannersConfig scanners = options.settings.scanners();
  queue::CapacityLeases leases(options.settings.redis());
  queue::TaskQueue queue = options.settings.task_queue();
  nlohmann::json rows = nlohmann::json::array();
  for (const auto* pool : service::selected_pools(scanners, options.pool)) {
    const queue::PoolLoad load = leases.pool_load(pool->name, queue::scanner_slots(*pool));
    const queue::QueueStats stats = queue.stats(pool->name, 0);
    rows.push_back({{"pool", pool->name},
                    {"scanners", load.scanners.size()},
                    {"capacity", load.capacity},
                    {"active", load.active},
                    {"available", load.available},
                    {"utilisation", load.utilisation()},
                    {"queue_depth", stats.depth},
                    {"dlq_size", stats.dead_letters}});
  }
  if (options.settings.json) {
    print_json(rows);
    return exit_ok;
  }
  Table table({"POOL", "SCANNERS", "CAPACITY", "ACTIVE", "AVAILABLE", "UTILISATION", "QUEUED", "DEAD"});
  for (const auto& row : rows) {
    const double utilisation = row["utilisation"].get<double>();
    table.add({{row["pool"].get<std::string>()},
               {std::to_string(row["scanners"].get<std::size_t>())},
               {std::to_string(row["capacity"].get<int>())},
               {std::to_string(row["active"].get<int>())},
               {std::to_string(row["available"].get<int>())},
               {percent(utilisation), load_colour(utilisation)},
               {std::to_string(row["queue_depth"].get<std::size_t>())},
               {std::to_string(row["dlq_size"].get<std::size_t>())}});
  }
  table.print(std::cout);
  return exit_ok;
}

int show_workers(const Settings& settings) {
  const auto now = std::chrono::system_clock::now();
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& worker : settings.task_queue().workers()) {
    std::size_t in_flight = 0;
    for (const auto& [pool, count] : worker.in_flight) in_flight += count;
    nlohmann::json age = nullptr;
    const auto heartbeat = worker.info.value("heartbeat_at", nlohmann::json());
    if (heartbeat.is_string()) {
      if (const auto at = core::parse_iso(heartbeat.get<std::string>())) {
        age = std::chrono::duration<double>(now - *at).count();
      }
    }
    rows.push_back({{"worker_id", worker.worker_id},
                    {"alive", worker.alive},
                    {"pools", worker.info.value("pools", nlohmann::json::array())},
                    {"host", worker.info.value("host", nlohmann::json())},
                    {"pid", worker.info.value("pid", nlohmann::json())},
                    {"in_flight", worker.in_flight},
                    {"in_flight_total", in_flight},
                    {"heartbeat_age_seconds", age}});
  }
  if (settings.json) {
    print_json(rows);
    return exit_ok;
  }
  if (rows.empty()) {
    std::cout << "no workers\n";
    return exit_ok;
  }
  Table table({"WORKER", "STATE", "POOLS", "IN FLIGHT", "LAST HEARTBEAT", "HOST"});
  for (const auto& row : rows) {
    std::string pools;
    for (const auto& pool : row["pools"]) pools += (pools.empty() ? "" : ",") + pool.get<std::string>();
    std::string in_flight = std::to_string(row["in_flight_total"].get<std::size_t>());
    for (const auto& [pool, count] : row["in_flight"].items()) {
      in_flight += (in_flight.find('(') == std::string::npos ? " (" : ", ") + pool + " " +
                   std::to_string(count.get<std::size_t>());
    }
    if (in_flight.find('(') != std::string::npos) in_flight += ")";
    const bool alive = row["alive"].get<bool>();
    const auto& age = row["heartbeat_age_seconds"];
    table.add({{row["worker_id"].get<std::string>()},
               {alive ? "alive" : "dead (awaiting reaper)", alive ? Colour::green : Colour::red},
               {pools.empty() ? "-" : pools},
               {in_flight},
               {age.is_number() ? format_duration(age.get<double>()) + " ago" : "-"},
               {row["host"].is_string() ? row["host"].get<std::string>() : "-"}});
  }
  table.print(std::cout);
  return exit_ok;
}

}  // namespace

void add_capacity_commands(CLI::App& app, int& exit_code) {
  auto scanners = std::make_shared<CapacityOptions>();
  CLI::App* scanners_command =
      app.add_subcommand("scanners", "Per scanner: capacity, active scans (cluster-wide), utilisation, available");
  scanners_command->add_option("pool", scanners->pool, "the pool (default: every configured pool)");
  add_settings_options(*scanners_command, scanners->settings);
  scanners_command->callback(
      [scanners, &exit_code] { exit_code = run_command("scanners", [&] { return show_scanners(*scanners); }); });

  auto pools = std::make_shared<CapacityOptions>();
  CLI::App* pools_command = app.add_subcommand("pools", "Per pool: capacity, active, available, queue depth");
  pools_command->add_option("pool", pools->pool, "the pool (default: every configured pool)");
  add_settings_options(*pools_command, pools->settings);
  pools_command->callback(
      [pools, &exit_code] { exit_code = run_command("pools", [&] { return show_pools(*pools); }); });

  auto workers = std::make_shared<Settings>();
  CLI::App* workers_command = app.add_subcommand("workers", "Live workers: pools, in-flight tasks, last heartbeat");
  add_settings_options(*workers_command, *workers);
  workers_command->callback(
      [workers, &exit_code] { exit_code = run_command("workers", [&] { return show_workers(*workers); }); });
}

}  // namespace sw::scanctl
