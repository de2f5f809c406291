// scanctl status and list: a task's state from task.json (and, while it runs, its live
// scan record in Redis), with what to do about a failure; the task list with filters.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/task.hpp"
#include "core/task_id.hpp"
#include "service/views.hpp"
#include "settings.hpp"
#include "store/task_store.hpp"
#include "terminal.hpp"

namespace sw::scanctl {
namespace {

using Clock = std::chrono::system_clock;

struct TaskView {
  core::Task task;
  std::optional<nlohmann::json> live;  // the scan record while running
  std::string live_error;              // why there is no live record (Redis unreachable)
};

TaskView load_view(const store::TaskStore& store, queue::TaskQueue& queue, const std::string& task_id) {
  auto task = store.read(task_id);
  if (!task)
    throw core::Error(core::ErrorKind::not_found, "no task " + task_id + " under " + store.data_dir().string());
  TaskView view{std::move(*task), std::nullopt, {}};
  if (view.task.status == core::TaskStatus::running) {
    try {
      view.live = queue.scan_record(task_id);
    } catch (const core::Error& e) {
      view.live_error = e.what();
    }
  }
  return view;
}

nlohmann::json view_json(const TaskView& view) {
  nlohmann::json json = core::task_to_json(view.task);
  json["live"] = view.live ? *view.live : nlohmann::json(nullptr);
  if (!view.live_error.empty()) json["live_error"] = view.live_error;
  const auto duration = service::duration_seconds(view.task);
  json["duration_seconds"] = duration ? nlohmann::json(*duration) : nlohmann::json(nullptr);
  const auto hint = service::failure_hint(view.task);
  json["hint"] = hint ? nlohmann::json(*hint) : nlohmann::json(nullptr);
  return json;
}

void field(const std::string& label, const std::string& value) {
  std::cout << "  " << label << std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') << value << '\n';
}

std::string time_text(const std::optional<core::TimePoint>& time) {
  if (!time) return "-";
  return core::format_iso(*time) + "  (" +
         format_duration(std::chrono::duration<double>(Clock::now() - *time).count()) + " ago)";
}

void print_results(const nlohmann::json& stats) {
  const nlohmann::json counts = stats.value("severity_counts", nlohmann::json::object());
  std::cout << paint("Results", Colour::bold) << '\n';
  field("hosts", std::to_string(stats.value("hosts_scanned", 0)));
  std::string severities;
  for (const char* level : {"critical", "high", "medium", "low", "info"}) {
    severities += std::string(level) + " " + std::to_string(counts.value(level, 0)) + "  ";
  }
  field("severities", severities);
  field("vulnerabilities", std::to_string(stats.value("total_vulnerabilities", 0)));
}

// "failed hosts  2 of 3 target hosts: a, b" (the first 20 and a count), and the threshold.
void print_failed_hosts(const nlohmann::json& stats) {
  const auto count = stats.value("auth_failed_hosts_count", std::uint64_t{0});
  const auto targets = stats.value("auth_target_hosts", std::uint64_t{0});
  if (stats.contains("auth_min_success_percent") && stats["auth_min_success_percent"].is_number()) {
    field("required", std::to_string(stats["auth_min_success_percent"].get<int>()) + " % of target hosts (" +
                          std::to_string(stats.value("auth_succeeded_hosts", std::uint64_t{0})) + " of " +
                          std::to_string(targets) + " logged in)");
  }
  if (count == 0 || !stats.contains("auth_failed_hosts")) return;
  std::string names;
  for (const auto& host : stats["auth_failed_hosts"]) {
    names += (names.empty() ? "" : ", ") + host.value("host", "");
  }
  const auto listed = stats["auth_failed_hosts"].size();
  if (count > listed) names += " and " + std::to_string(count - listed) + " more";
  field("failed hosts", std::to_string(count) + " of " + std::to_string(targets) + " target hosts: " + names);
}

void print_authentication(const core::Task& task) {
  if (!task.authentication_status) return;
  const std::string& status = *task.authentication_status;
  std::cout << paint("Authentication", Colour::bold) << "  " << paint(status, status_colour(status)) << '\n';
  if (!task.validation_stats.is_object()) return;
  print_failed_hosts(task.validation_stats);
  if (!task.validation_stats.contains("hosts_auth")) return;
  Table hosts({"  HOST", "STATUS", "CREDENTIALED CHECKS", "EVIDENCE"});
  for (const auto& host : task.validation_stats["hosts_auth"]) {
    const std::string host_status = host.value("status", "");
    const auto& raw = host.contains("credentialed_checks") ? host["credentialed_checks"] : nlohmann::json(nullptr);
    hosts.add({{"  " + host.value("host", ""), Colour::none},
               {host_status, status_colour(host_status)},
               {raw.is_string() ? raw.get<std::string>() : "-", Colour::none},
               {host.value("evidence", ""), Colour::none}});
  }
  if (!hosts.empty()) hosts.print(std::cout);
}

void print_view(const TaskView& view) {
  const core::Task& task = view.task;
  const std::string status(core::to_string(task.status));
  std::cout << paint("Task " + task.task_id, Colour::bold) << "  " << paint(status, status_colour(status)) << '\n';
  field("name", task.payload.value("name", ""));
  field("targets", task.payload.value("targets", ""));
  field("scan type", task.scan_type);
  field("pool", task.scanner_pool);
  field("scanner", task.scanner_instance_id.value_or("-"));
  field("nessus scan id", task.nessus_scan_id ? std::to_string(*task.nessus_scan_id) : "-");
  field("trace id", task.trace_id);
  field("created", time_text(task.created_at));
  field("started", time_text(task.started_at));
  field("completed", time_text(task.completed_at));
  const auto duration = service::duration_seconds(task);
  field("duration", duration ? format_duration(*duration) + (task.completed_at ? "" : " so far") : "-");
  if (view.live) {
    const double progress = view.live->value("progress", 0.0);
    field("progress", progress_bar(progress) + "  (nessus: " + view.live->value("status", "starting") + ")");
  } else if (!view.live_error.empty()) {
    field("progress", "unavailable: " + view.live_error);
  }
  if (task.validation_stats.is_object()) print_results(task.validation_stats);
  print_authentication(task);
  if (!task.validation_warnings.empty()) {
    std::cout << paint("Warnings", Colour::bold) << '\n';
    for (const auto& warning : task.validation_warnings) std::cout << "  - " << warning << '\n';
  }
  if (task.error_message) {
    std::cout << paint("Error", Colour::bold) << '\n' << "  " << paint(*task.error_message, Colour::red) << '\n';
  }
  if (const auto hint = service::failure_hint(task))
    std::cout << paint("What to do", Colour::bold) << "\n  " << *hint << '\n';
}

struct StatusOptions {
  Settings settings;
  std::string task_id;
  bool watch = false;
  double interval = 2.0;
};

int status(const StatusOptions& options) {
  core::require_valid_task_id(options.task_id);
  const store::TaskStore store(options.settings.environment().data_dir);
  queue::TaskQueue queue = options.settings.task_queue();
  const bool redraw = options.watch && stdout_is_terminal() && !options.settings.json;
  std::string shown;
  while (true) {
    const TaskView view = load_view(store, queue, options.task_id);
    const nlohmann::json json = view_json(view);
    nlohmann::json change_key = json;
    change_key.erase("duration_seconds");
    if (!options.watch || redraw || change_key.dump() != shown) {
      shown = change_key.dump();
      if (redraw) std::cout << "\033[H\033[2J";
      if (options.settings.json) {
        std::cout << (options.watch ? json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
                                    : json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
      } else {
        print_view(view);
        if (options.watch && !redraw) std::cout << '\n';
      }
      std::cout.flush();
    }
    if (!options.watch || core::is_terminal(view.task.status)) return exit_ok;
    std::this_thread::sleep_for(std::chrono::duration<double>(options.interval));
  }
}

struct ListOptions {
  Settings settings;
  std::string status;
  std::string pool;
  std::string target;
  std::size_t limit = 50;
};

int list(const ListOptions& options) {
  store::TaskFilter filter;
  if (!options.status.empty()) {
    filter.status = core::parse_task_status(options.status);
    if (!filter.status) {
      throw core::Error(core::ErrorKind::bad_input,
                        "unknown status '" + options.status + "' (queued, running, completed, failed, timeout)");
    }
  }
  if (!options.pool.empty()) filter.pool = options.pool;
  if (!options.target.empty()) filter.target = options.target;
  filter.limit = options.limit;
  const auto tasks = store::TaskStore(options.settings.environment().data_dir).list(filter);
  if (options.settings.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& task : tasks) array.push_back(core::task_to_json(task));
    print_json(array);
    return exit_ok;
  }
  if (tasks.empty()) {
    std::cout << "no tasks\n";
    return exit_ok;
  }
  Table table({"TASK ID", "STATUS", "POOL", "SCANNER", "SCAN TYPE", "CREATED", "TARGETS", "NAME"});
  for (const auto& task : tasks) {
    const std::string status(core::to_string(task.status));
    std::string targets = task.payload.value("targets", "");
    if (targets.size() > 40) targets = targets.substr(0, 37) + "...";
    table.add({{task.task_id},
               {status, status_colour(status)},
               {task.scanner_pool},
               {task.scanner_instance_id.value_or("-")},
               {task.scan_type},
               {core::format_iso(task.created_at).substr(0, 19)},
               {targets},
               {task.payload.value("name", "")}});
  }
  table.print(std::cout);
  return exit_ok;
}

}  // namespace

void add_task_commands(CLI::App& app, int& exit_code) {
  auto status_options = std::make_shared<StatusOptions>();
  CLI::App* status_command =
      app.add_subcommand("status", "Show a task: state, timings, progress, results, authentication");
  status_command->add_option("task_id", status_options->task_id, "the task id")->required();
  status_command->add_flag("--watch", status_options->watch, "redraw until the task is completed, failed or timed out");
  status_command
      ->add_option("--interval", status_options->interval, "seconds between refreshes with --watch (default 2)")
      ->check(CLI::PositiveNumber);
  add_settings_options(*status_command, status_options->settings);
  status_command->callback(
      [status_options, &exit_code] { exit_code = run_command("status", [&] { return status(*status_options); }); });

  auto list_options = std::make_shared<ListOptions>();
  CLI::App* list_command = app.add_subcommand("list", "List tasks, newest first");
  list_command->add_option("--status", list_options->status, "queued | running | completed | failed | timeout");
  list_command->add_option("--pool", list_options->pool, "only this pool");
  list_command->add_option("--target", list_options->target,
                           "only tasks whose targets overlap these (10.0.0.5 matches a task scanning 10.0.0.0/24, "
                           "2001:db8::1 one scanning 2001:db8::/120)");
  list_command->add_option("--limit", list_options->limit, "at most N tasks (default 50, 0 for all)");
  add_settings_options(*list_command, list_options->settings);
  list_command->callback(
      [list_options, &exit_code] { exit_code = run_command("list", [&] { return list(*list_options); }); });
}

}  // namespace sw::scanctl
