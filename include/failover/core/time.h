#pragma once

// Time as a value. Decisions use the monotonic clock (MonoTime); wall-clock time (WallTime)
// is only for display and for timestamps in payloads. Logic receives `now` as an argument
// and never reads a clock itself; only adapters own a TimeSource.

#include <chrono>

namespace failover::core {

using MonoClock = std::chrono::steady_clock;
using MonoTime = MonoClock::time_point;
using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;
using Duration = std::chrono::nanoseconds;
using Millis = std::chrono::milliseconds;

// The clock port. SteadyTimeSource reads the real clocks; tests use a manual one.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual MonoTime monotonicNow() const = 0;  // for intervals and deadlines
  virtual WallTime wallNow() const = 0;       // for presenting to people
};

}  // namespace failover::core
