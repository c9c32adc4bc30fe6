#pragma once

// Reconnect delays: capped exponential with jitter, so that many clients that lose the same
// peer (a router, the broker) do not come back in lockstep. The random source is injected:
// adapters seed one from the OS, tests pass fixed values.
//
// Delay n (n = 0, 1, ...) is min(cap, initial * 2^n) scaled by a factor drawn from
// [1 - jitter, 1]; reset() once a connection is fully established starts again at `initial`.

#include <cstdint>
#include <functional>

#include "failover/core/time.h"

namespace failover::core {

struct BackoffPolicy {
  Millis initial{100};
  Millis cap{5000};
  double jitter = 0.2;  // fraction of the delay that may be taken off, 0..1
};

// Returns a value in [0, 1). Values outside are clamped by Backoff.
using UnitRandom = std::function<double()>;

// A deterministic UnitRandom: the same seed gives the same sequence. Adapters seed it once
// from std::random_device; the core itself never reads a random device.
UnitRandom seededUnitRandom(uint32_t seed);

class Backoff {
 public:
  // Without a random source the delays carry no jitter.
  Backoff(BackoffPolicy policy, UnitRandom random01);

  // The delay before the next attempt; each call counts one attempt.
  Millis next();
  void reset() { attempt_ = 0; }
  unsigned attempt() const { return attempt_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  UnitRandom random01_;
  unsigned attempt_ = 0;
};

}  // namespace failover::core
