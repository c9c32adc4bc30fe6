#pragma once

// Plays the render machines' agents: every 100 ms each machine publishes its engine, videoio
// and network heartbeats, through one long-lived `mosquitto_pub -l` per topic (one line of
// stdin = one message). A test changes what a check says, or silences it, while it runs.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"

namespace failover::e2e {

class Heartbeats {
 public:
  static constexpr const char* kOk = R"({"status":"ok","mode":"live"})";

  // `machines` publish on render/<m>/engine, render/<m>/videoio and render/<m>/network.
  Heartbeats(uint16_t port, std::vector<std::string> machines);
  ~Heartbeats();
  Heartbeats(const Heartbeats&) = delete;
  Heartbeats& operator=(const Heartbeats&) = delete;

  // Starts the publishers and the beat thread (again, after stop()).
  void start();
  // Stops the beat thread and the publishers.
  void stop();

  // What `machine`'s `check` ("engine", "videoio", "network") says from the next beat on.
  void set(const std::string& machine, const std::string& check, const std::string& payload);
  // The check stops publishing (an unresponsive engine, a dead heartbeat).
  void silence(const std::string& machine, const std::string& check);

 private:
  struct Source {
    std::string topic;
    std::string payload;
    bool silent = false;
    std::unique_ptr<testing::ChildProcess> publisher;
  };

  void beat();

  uint16_t port_;
  std::mutex mutex_;
  std::map<std::string, Source> sources_;  // key "machine/check"
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace failover::e2e
