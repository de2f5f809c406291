// What the front ends show of tasks, queue entries, dead letters and scanners: one place
// for the advice on a failed task, the summary of a queue entry, a dead letter with its
// secrets masked and a scanner URL without its user-info. No secret ever appears.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/scanners.hpp"
#include "core/task.hpp"
#include "queue/dead_letter.hpp"

namespace sw::service {

// One short line on what to do about a failed or timed-out task; nullopt for the others.
std::optional<std::string> failure_hint(const core::Task& task);

// Seconds from started_at to completed_at (or now while it runs); nullopt before it started.
std::optional<double> duration_seconds(const core::Task& task);

// A queue entry summarised: task_id, scan_type, scanner_instance_id, targets, name (null
// when absent); an entry that is not a JSON object: task_id null and the raw text masked.
nlohmann::json queue_entry_summary(const std::string& raw);

// A dead letter: pool, task_id, error, failed_at, deliveries, and the entry, all masked.
nlohmann::json dead_letter_json(const std::string& pool, const queue::DeadLetter& letter);

// https://user:pass@host:8834 -> https://host:8834
std::string url_without_credentials(const std::string& url);

// The names of the configured pools, sorted.
std::vector<std::string> pool_names(const config::ScannersConfig& scanners);

// The pool asked for (it must be configured: core::Error(not_found) naming the configured
// ones otherwise) or, when `pool` is empty, every pool.
std::vector<const config::PoolConfig*> selected_pools(const config::ScannersConfig& scanners, const std::string& pool);

}  // namespace sw::service
