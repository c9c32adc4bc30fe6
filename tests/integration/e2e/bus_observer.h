#pragma once

// Watches the node's topics through a mosquitto_sub process, as a dashboard would. Every
// message is read as one "topic payload" line; the observer keeps the latest payload of each
// topic (what a retained-state reader sees) and the full history (what an event reader sees).
// All waits are bounded.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace failover::e2e {

struct BusLine {
  std::string topic;
  std::string payload;
};

class BusObserver {
 public:
  using Match = std::function<bool(const std::string& payload)>;

  // Subscribes to every filter in `filters` on the broker at 127.0.0.1:`port`, and to a
  // private marker topic; returns once the marker it publishes comes back, so nothing sent
  // after the constructor is missed. Throws std::runtime_error when that fails.
  BusObserver(uint16_t port, std::vector<std::string> filters);

  // The latest payload seen on `topic`, if any.
  std::optional<std::string> latest(const std::string& topic) const;

  // Waits until `topic`'s latest payload satisfies `match` (it may already); returns it.
  std::optional<std::string> waitLatest(const std::string& topic, const Match& match,
                                        std::chrono::milliseconds timeout);
  std::optional<std::string> waitLatestEquals(const std::string& topic, const std::string& payload,
                                              std::chrono::milliseconds timeout);

  // Position in the history: waitAfter() looks only at messages that arrive after it.
  size_t mark() const { return history_.size(); }
  // Waits for a message on `topic`, received at or after history position `from`, that
  // satisfies `match`; returns its payload.
  std::optional<std::string> waitAfter(size_t from, const std::string& topic, const Match& match,
                                       std::chrono::milliseconds timeout);

  // Reads whatever arrives during `window` and returns every message on `topic` received at
  // or after `from`. For checks that something did NOT happen.
  std::vector<std::string> collect(size_t from, const std::string& topic,
                                   std::chrono::milliseconds window);

  const std::vector<BusLine>& history() const { return history_; }

 private:
  // Reads one line into the history; false when nothing came before `deadline`.
  bool readOne(std::chrono::steady_clock::time_point deadline);

  uint16_t port_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::vector<BusLine> history_;
  std::map<std::string, std::string> latest_;
};

}  // namespace failover::e2e
