#include "failover/core/backoff.h"

#include <algorithm>
#include <memory>
#include <random>
#include <utility>

namespace failover::core {

UnitRandom seededUnitRandom(uint32_t seed) {
  auto engine = std::make_shared<std::minstd_rand>(seed);
  return [engine] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
}

Backoff::Backoff(BackoffPolicy policy, UnitRandom random01)
    : policy_(policy), random01_(std::move(random01)) {}

Millis Backoff::next() {
  const auto cap = std::max<int64_t>(policy_.cap.count(), 0);
  int64_t delay = std::max<int64_t>(policy_.initial.count(), 0);
  // Doubling stops at the cap, so the shift never overflows.
  for (unsigned i = 0; i < attempt_ && delay < cap; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, cap);
  ++attempt_;
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  const double r = std::clamp(random01_ ? random01_() : 0.0, 0.0, 1.0);
  const double scaled = static_cast<double>(delay) * (1.0 - jitter * r);
  return Millis(static_cast<int64_t>(scaled));
}

}  // namespace failover::core
