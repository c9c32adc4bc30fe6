#pragma once

// The timer and clock ports on Asio and std::chrono, for the running daemon.

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "failover/core/time.h"
#include "failover/ports/timer.h"

namespace failover::daemon {

class SteadyTimeSource final : public core::TimeSource {
 public:
  core::MonoTime monotonicNow() const override { return core::MonoClock::now(); }
  core::WallTime wallNow() const override { return core::WallClock::now(); }
};

class AsioTimer final : public ports::Timer {
 public:
  explicit AsioTimer(asio::io_context& io) : timer_(io) {}

  void armAt(core::MonoTime deadline, std::function<void()> callback) override {
    timer_.expires_at(deadline);
    timer_.async_wait([callback = std::move(callback)](const std::error_code& error) {
      if (!error) {
        callback();
      }
    });
  }
  void cancel() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace failover::daemon
