#pragma once

// A one-shot timer on the node's io thread. Re-arming replaces the pending deadline.

#include <functional>

#include "failover/core/time.h"

namespace failover::ports {

class Timer {
 public:
  virtual ~Timer() = default;
  // Calls `callback` on the io thread at (or just after) `deadline`, once.
  virtual void armAt(core::MonoTime deadline, std::function<void()> callback) = 0;
  virtual void cancel() = 0;
};

}  // namespace failover::ports
