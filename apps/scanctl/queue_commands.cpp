// scanctl queue and dlq: queue depth, dead letters, in-flight tasks per worker and the
// next tasks of a pool (the seed's get_queue_status); listing, showing, retrying and
// purging dead letters (the Python worker's entries included). Secrets in entries are
// always redacted before they are shown.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/task_status.hpp"
#include "core/time.hpp"
#include "service/dead_letters.hpp"
#include "service/views.hpp"
#include "settings.hpp"
#include "store/task_store.hpp"
#include "terminal.hpp"

namespace sw::scanctl {
namespace {

// The pool given, or every configured pool.
std::vector<std::string> pools_of(const Settings& settings, const std::string& pool) {
  if (!pool.empty()) return {pool};
  return service::pool_names(settings.scanners());
}

std::string text_or_dash(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : "-"; }

struct QueueOptions {
  Settings settings;
  std::string pool;
};

int show_queues(const QueueOptions& options) {
  const auto pools = pools_of(options.settings, options.pool);
  queue::TaskQueue queue = options.settings.task_queue();
  nlohmann::json all = nlohmann::json::array();
  for (const auto& pool : pools) {
    const queue::QueueStats stats = queue.stats(pool, 5);
    nlohmann::json next = nlohmann::json::array();
    for (const auto& raw : stats.next) next.push_back(service::queue_entry_summary(raw));
    all.push_back({{"pool", pool},
                   {"queue_depth", stats.depth},
                   {"dlq_size", stats.dead_letters},
                   {"in_flight", stats.in_flight},
                   {"next_tasks", next},
                   {"timestamp", core::format_iso(std::chrono::system_clock::now())}});
  }
  if (options.settings.json) {
    print_json(options.pool.empty() ? all : all.at(0));
    return exit_ok;
  }
  for (const auto& pool : all) {
    std::cout << paint("Pool " + pool["pool"].get<std::string>(), Colour::bold) << "  depth "
              << pool["queue_depth"].get<std::size_t>() << "  dead letters "
              << paint(std::to_string(pool["dlq_size"].get<std::size_t>()),
                       pool["dlq_size"].get<std::size_t>() > 0 ? Colour::red : Colour::none)
              << '\n';
    Table workers({"  WORKER", "IN FLIGHT"});
    for (const auto& [worker, count] : pool["in_flight"].items()) {
      workers.add({{"  " + worker}, {std::to_string(count.get<std::size_t>())}});
    }
    if (!workers.empty()) workers.print(std::cout);
    Table next({"  NEXT TASK", "SCAN TYPE", "SCANNER", "TARGETS", "NAME"});
    for (const auto& entry : pool["next_tasks"]) {
      next.add({{"  " + (entry["task_id"].is_string() ? entry["task_id"].get<std::string>() : "(not a task)")},
                {text_or_dash(entry.value("scan_type", nlohmann::json()))},
                {text_or_dash(entry.value("scanner_instance_id", nlohmann::json()))},
                {text_or_dash(entry.value("targets", nlohmann::json()))},
                {text_or_dash(entry.value("name", nlohmann::json()))}});
    }
    if (!next.empty()) next.print(std::cout);
  }
  return exit_ok;
}

struct DlqOptions {
  Settings settings;
  std::string pool;
  std::string task_id;
  std::size_t offset = 0;
  std::size_t limit = 20;
  bool all = false;
  std::string older_than;
  bool yes = false;
};

int dlq_list(const DlqOptions& options) {
  const auto pools = pools_of(options.settings, options.pool);
  queue::TaskQueue queue = options.settings.task_queue();
  nlohmann::json letters = nlohmann::json::array();
  for (const auto& pool : pools) {
    for (const auto& letter : queue.dlq_list(pool, options.offset, options.limit)) {
      letters.push_back(service::dead_letter_json(pool, letter));
    }
  }
  if (options.settings.json) {
    print_json(letters);
    return exit_ok;
  }
  if (letters.empty()) {
    std::cout << "no dead letters\n";
    return exit_ok;
  }
  Table table({"POOL", "TASK ID", "FAILED AT", "DELIVERIES", "ERROR"});
  for (const auto& letter : letters) {
    table.add({{letter["pool"].get<std::string>()},
               {text_or_dash(letter["task_id"])},
               {letter["failed_at"].get<std::string>()},
               {letter["deliveries"].is_null() ? "-" : std::to_string(letter["deliveries"].get<long long>())},
               {letter["error"].get<std::string>(), Colour::red}});
  }
  table.print(std::cout);
  return exit_ok;
}

int dlq_show(const DlqOptions& options) {
  const auto letter = options.settings.task_queue().dlq_show(options.pool, options.task_id);
  if (!letter) {
    throw core::Error(core::ErrorKind::not_found,
                      "no dead letter for task " + options.task_id + " in pool " + options.pool);
  }
  const nlohmann::json json = service::dead_letter_json(options.pool, *letter);
  if (options.settings.json) {
    print_json(json);
    return exit_ok;
  }
  std::cout << paint("Dead letter " + options.task_id, Colour::bold) << "  pool " << options.pool << '\n'
            << "  failed at   " << letter->failed_at << '\n'
            << "  error       " << paint(json["error"].get<std::string>(), Colour::red) << '\n';
  if (letter->deliveries) std::cout << "  deliveries  " << *letter->deliveries << '\n';
  std::cout << json["entry"].dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return exit_ok;
}

void print_count(const DlqOptions& options, const char* key, std::size_t count, const std::string& sentence) {
  if (options.settings.json) {
    print_json({{"pool", options.pool}, {key, count}});
  } else {
    std::cout << sentence << '\n';
  }
}

int dlq_retry(const DlqOptions& options) {
  if (options.all == !options.task_id.empty()) {
    throw CLI::ValidationError("give either a TASK_ID or --all");
  }
  if (options.all && !options.yes &&
      !confirm("Put every dead letter of pool " + options.pool + " back on the queue?")) {
    std::cout << "nothing retried\n";
    return exit_not_found;
  }
  queue::TaskQueue queue = options.settings.task_queue();
  const store::TaskStore store(options.settings.environment().data_dir);
  std::optional<std::string> task_id;
  if (!options.all) task_id = options.task_id;
  const service::RetryOutcome outcome = service::retry_dead_letters(queue, store, options.pool, task_id);
  const std::size_t retried = outcome.retried;
  const std::vector<std::string>& ended = outcome.left_ended;
  if (options.settings.json) {
    print_json({{"pool", options.pool}, {"retried", retried}, {"left_ended", ended}});
    return exit_ok;
  }
  std::cout << "retried " << retried << " task(s): back on " << options.pool << ":queue\n";
  if (!ended.empty()) {
    std::string list;
    for (const auto& item : ended) list += (list.empty() ? "" : ", ") + item;
    std::cout << "left " << ended.size() << " in the dead-letter queue whose task already ended: " << list << "\n  ("
              << service::ended_task_advice << ")\n";
  }
  return exit_ok;
}

// "7d", "12h", "30m", "45s" (fractions allowed: "1.5h").
std::chrono::duration<double> parse_age(const std::string& text) {
  const auto bad = [&] {
    return CLI::ValidationError("--older-than '" + text + "' is not a duration like 7d, 12h, 30m or 45s");
  };
  if (text.size() < 2) throw bad();
  double amount = 0;
  try {
    std::size_t used = 0;
    amount = std::stod(text.substr(0, text.size() - 1), &used);
    if (used != text.size() - 1 || amount < 0) throw bad();
  } catch (const std::logic_error&) {
    throw bad();
  }
  switch (text.back()) {
    case 'd':
      return std::chrono::duration<double>(amount * 86400);
    case 'h':
      return std::chrono::duration<double>(amount * 3600);
    case 'm':
      return std::chrono::duration<double>(amount * 60);
    case 's':
      return std::chrono::duration<double>(amount);
    default:
      throw bad();
  }
}

int dlq_purge(const DlqOptions& options) {
  if (options.all == !options.older_than.empty()) {
    throw CLI::ValidationError("give either --all or --older-than DURATION");
  }
  std::optional<core::TimePoint> before;
  if (!options.all) {
    before = std::chrono::system_clock::now() -
             std::chrono::duration_cast<std::chrono::system_clock::duration>(parse_age(options.older_than));
  }
  if (options.all && !options.yes && !confirm("Delete every dead letter of pool " + options.pool + "?")) {
    std::cout << "nothing purged\n";
    return exit_not_found;
  }
  const std::size_t purged = options.settings.task_queue().dlq_purge(options.pool, before);
  print_count(options, "purged", purged, "purged " + std::to_string(purged) + " dead letter(s) of " + options.pool);
  return exit_ok;
}

CLI::App* dlq_subcommand(CLI::App& dlq, const std::string& name, const std::string& help,
                         const std::shared_ptr<DlqOptions>& options, int (*body)(const DlqOptions&), int& exit_code) {
  CLI::App* command = dlq.add_subcommand(name, help);
  add_settings_options(*command, options->settings);
  command->callback(
      [options, body, name, &exit_code] { exit_code = run_command("dlq " + name, [&] { return body(*options); }); });
  return command;
}

}  // namespace

void add_queue_commands(CLI::App& app, int& exit_code) {
  auto queue_options = std::make_shared<QueueOptions>();
  CLI::App* queue_command = app.add_subcommand("queue", "Queue depth, dead letters, in-flight tasks and next tasks");
  queue_command->add_option("pool", queue_options->pool, "the pool (default: every configured pool)");
  add_settings_options(*queue_command, queue_options->settings);
  queue_command->callback(
      [queue_options, &exit_code] { exit_code = run_command("queue", [&] { return show_queues(*queue_options); }); });

  CLI::App* dlq = app.add_subcommand("dlq", "Dead-letter queue: list, show, retry, purge");
  dlq->require_subcommand(1);

  auto list = std::make_shared<DlqOptions>();
  CLI::App* list_command = dlq_subcommand(*dlq, "list", "List dead letters, newest first", list, dlq_list, exit_code);
  list_command->add_option("pool", list->pool, "the pool (default: every configured pool)");
  list_command->add_option("--offset", list->offset, "skip the N newest (per pool)");
  list_command->add_option("--limit", list->limit, "at most N per pool (default 20)");

  auto show = std::make_shared<DlqOptions>();
  CLI::App* show_command =
      dlq_subcommand(*dlq, "show", "Show a task's dead letter (secrets redacted)", show, dlq_show, exit_code);
  show_command->add_option("pool", show->pool, "the pool")->required();
  show_command->add_option("task_id", show->task_id, "the task id")->required();

  auto retry = std::make_shared<DlqOptions>();
  CLI::App* retry_command =
      dlq_subcommand(*dlq, "retry", "Put dead letters back on the queue", retry, dlq_retry, exit_code);
  retry_command->add_option("pool", retry->pool, "the pool")->required();
  retry_command->add_option("task_id", retry->task_id, "the task to retry");
  retry_command->add_flag("--all", retry->all, "retry every dead letter of the pool");
  retry_command->add_flag("--yes", retry->yes, "do not ask for confirmation");

  auto purge = std::make_shared<DlqOptions>();
  CLI::App* purge_command = dlq_subcommand(*dlq, "purge", "Delete dead letters", purge, dlq_purge, exit_code);
  purge_command->add_option("pool", purge->pool, "the pool")->required();
  purge_command->add_flag("--all", purge->all, "delete every dead letter of the pool");
  purge_command->add_option("--older-than", purge->older_than,
                            "delete those that failed longer ago than 7d, 12h, 30m, 45s");
  purge_command->add_flag("--yes", purge->yes, "do not ask for confirmation");
}

}  // namespace sw::scanctl
