// Lane threads and their Backends.
#include "mcp/lanes.hpp"

#include <algorithm>

namespace sw::mcp {

Lanes::Lanes(const std::shared_ptr<const SharedConfig>& config, std::size_t count) {
  for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) {
    auto lane = std::make_unique<Lane>();
    lane->backend = std::make_unique<Backend>(config);
    Lane* raw = lane.get();
    lane->thread = std::thread([raw] { raw->context.run(); });
    lanes_.push_back(std::move(lane));
  }
}

Lanes::~Lanes() {
  for (auto& lane : lanes_) {
    lane->work.reset();
    lane->context.stop();
  }
  for (auto& lane : lanes_) lane->thread.join();
}

Lanes::Lane& Lanes::least_busy() {
  Lane* best = lanes_.front().get();
  for (auto& lane : lanes_) {
    if (lane->busy.load() < best->busy.load()) best = lane.get();
  }
  return *best;
}

}  // namespace sw::mcp
