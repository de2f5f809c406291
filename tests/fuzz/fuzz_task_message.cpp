// libFuzzer target for the task JSON parsers: core::parse_task_message on the raw bytes
// (a queue entry) and core::task_from_json on the same bytes read as a task.json record.
// Rejections (core::Error) are expected; anything else (crash, other exception, UB) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/task.hpp"
#include "core/task_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  try {
    const auto message = sw::core::parse_task_message(raw, "nessus");
    const auto task = sw::core::task_from_message(message, sw::core::TimePoint{});
    // A record the worker wrote must read back.
    (void)sw::core::task_from_json(sw::core::task_to_json(task));
    (void)sw::core::to_json(message).dump();
  } catch (const sw::core::Error&) {
  }
  const auto json = nlohmann::json::parse(raw, nullptr, false);
  if (!json.is_discarded()) {
    try {
      const auto task = sw::core::task_from_json(json);
      (void)sw::core::task_to_json(task).dump();
    } catch (const sw::core::Error&) {
    }
  }
  return 0;
}
