// For tests: a wall clock that stands still until the test moves it.
#pragma once

#include "core/time.hpp"

namespace sw::core::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1764599422))) : now_(start) {}
  TimePoint now() const override { return now_; }
  void advance(TimePoint::duration by) { now_ += by; }

 private:
  TimePoint now_;
};

}  // namespace sw::core::testing
