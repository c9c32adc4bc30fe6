#pragma once

// Drives an io_context from the test thread until a condition holds: for tests and benchmarks
// that own the io_context instead of running it on a thread of its own.

#include <algorithm>
#include <chrono>
#include <functional>

#include <asio.hpp>

namespace failover::testing {

// Runs `io` until `done()` or `timeout`; returns done().
inline bool runUntil(asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return false;
    }
    io.restart();
    io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                 std::chrono::milliseconds(20)));
  }
  return true;
}

}  // namespace failover::testing
