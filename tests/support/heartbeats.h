#pragma once

// Plays the render machines' agents: every period, each machine publishes its engine, videoio
// and network heartbeats on render/<machine>/<check>. A test changes what a check says, or
// silences it, while they run. The messages go through a Send function, so the same beats
// can travel by command-line publishers (tests, labs) or by an in-process client
// (benchmarks).
//
// Thread model: one beat thread calls Send, in round order, with the lock held; set(),
// silence() and resume() take effect from the next round.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace failover::testing {

class Heartbeats {
 public:
  using Clock = std::chrono::steady_clock;
  // Publishes one message (not retained); called on the beat thread only.
  using Send = std::function<void(const std::string& topic, const std::string& payload)>;
  // A machine's check: {"green-main", "engine"}.
  using Check = std::pair<std::string, std::string>;

  static constexpr const char* kOk = R"({"status":"ok","mode":"live"})";
  static constexpr const char* kChecks[] = {"engine", "videoio", "network"};

  struct Options {
    std::chrono::milliseconds period{100};  // the agents' own publishing period
    std::string payload = kOk;              // what every check says until set()
  };

  // Heartbeats of `machines`. Each round publishes check by check, and within a check the
  // machines in the order given, so that the first check of the first machines goes out
  // back to back. Nothing is sent before start().
  Heartbeats(std::vector<std::string> machines, Send send, Options options);
  Heartbeats(std::vector<std::string> machines, Send send)
      : Heartbeats(std::move(machines), std::move(send), Options()) {}
  ~Heartbeats();
  Heartbeats(const Heartbeats&) = delete;
  Heartbeats& operator=(const Heartbeats&) = delete;

  // Starts the beat thread (again, after stop()).
  void start();
  // Stops the beat thread.
  void stop();

  // What `machine`'s `check` says from the next beat on; a silenced check resumes.
  void set(const std::string& machine, const std::string& check, const std::string& payload);
  // The check stops publishing (an unresponsive engine, a dead heartbeat).
  void silence(const std::string& machine, const std::string& check);
  // Every check in `checks` stops publishing at once. Returns when the last of them was
  // published, the moment their silence starts.
  Clock::time_point silence(const std::vector<Check>& checks);
  // The checks publish again, saying what they said before.
  void resume(const std::vector<Check>& checks);

 private:
  struct Source {
    std::string machine;
    std::string check;
    std::string topic;
    std::string payload;
    bool silent = false;
    Clock::time_point last_sent;
  };

  Source& source(const std::string& machine, const std::string& check);
  void beat();

  Send send_;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::vector<Source> sources_;  // in round order
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace failover::testing
