// TaskQueue's part for operators: scanner health records and finished counts per hour
// (activity.hpp; keys sw:scanner-health:* and sw:finished:* in KEYS.md).
#include <ctime>
#include <nlohmann/json.hpp>

#include "queue/keys.hpp"
#include "queue/task_queue.hpp"

namespace sw::queue {

namespace {

constexpr std::chrono::hours kFinishedKept{48};

// "2026120214" for any time in 14:00-14:59 UTC of 2 Dec 2026.
std::string hour_key(core::TimePoint when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y%m%d%H", &utc);
  return buffer;
}

core::TimePoint hour_start(core::TimePoint when) { return std::chrono::floor<std::chrono::hours>(when); }

}  // namespace

void TaskQueue::record_scanner_health(const std::string& pool, const std::string& instance_id,
                                      const ScannerHealth& health, std::chrono::milliseconds ttl) {
  const nlohmann::json record{{"reachable", health.reachable},
                              {"status", health.status},
                              {"error", health.error},
                              {"checked_at", core::format_iso(health.checked_at)},
                              {"checked_by", health.checked_by}};
  redis_.command({"SET", keys::scanner_health(pool, instance_id), record.dump(), "PX", std::to_string(ttl.count())});
}

std::optional<ScannerHealth> TaskQueue::scanner_health(const std::string& pool, const std::string& instance_id) {
  const RedisValue reply = redis_.command({"GET", keys::scanner_health(pool, instance_id)});
  if (reply.is_nil()) return std::nullopt;
  const auto record = nlohmann::json::parse(reply.as_string(), nullptr, false);
  if (!record.is_object()) return std::nullopt;
  ScannerHealth health;
  health.reachable = record.value("reachable", false);
  health.status = record.value("status", "");
  health.error = record.value("error", "");
  health.checked_by = record.value("checked_by", "");
  const auto checked_at = core::parse_iso(record.value("checked_at", ""));
  if (!checked_at) return std::nullopt;
  health.checked_at = *checked_at;
  return health;
}

void TaskQueue::count_finished(const std::string& pool, const std::string& outcome, core::TimePoint when) {
  const std::string key = keys::finished(pool, hour_key(when));
  redis_.pipeline({{"HINCRBY", key, outcome, "1"},
                   {"EXPIRE", key, std::to_string(std::chrono::seconds(kFinishedKept).count())}});
}

std::vector<HourlyOutcomes> TaskQueue::finished_by_hour(const std::string& pool, core::TimePoint now, int hours) {
  std::vector<HourlyOutcomes> series;
  for (int back = hours - 1; back >= 0; --back) {
    HourlyOutcomes hour;
    hour.hour_start = hour_start(now) - std::chrono::hours(back);
    const RedisValue fields = redis_.command({"HGETALL", keys::finished(pool, hour_key(hour.hour_start))});
    for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      try {
        hour.by_outcome[fields.elements[i].as_string()] = std::stoll(fields.elements[i + 1].as_string());
      } catch (const std::exception&) {
        // a field someone else wrote: not a count of ours
      }
    }
    series.push_back(std::move(hour));
  }
  return series;
}

}  // namespace sw::queue
