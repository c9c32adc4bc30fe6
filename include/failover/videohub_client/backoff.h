#pragma once

// Reconnect delays: capped exponential with jitter, so many nodes that lose the same router
// do not reconnect in lockstep. The random source is injected so tests use fixed values.
//
// Delay n (n = 0, 1, ...) is min(cap, initial * 2^n) scaled by a factor drawn from
// [1 - jitter, 1]; reset() after a connection has fully synchronised.

#include <chrono>
#include <functional>

namespace failover::videohub_client {

struct BackoffPolicy {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds cap{5000};
  double jitter = 0.2;  // fraction of the delay that may be taken off, 0..1
};

class Backoff {
 public:
  // `random01` returns a value in [0, 1).
  Backoff(BackoffPolicy policy, std::function<double()> random01);

  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  unsigned attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> random01_;
  unsigned attempt_ = 0;
};

}  // namespace failover::videohub_client
