#pragma once

// The processes of the fault soak and the soak's own eyes on them, all on 127.0.0.1: a real
// Mosquitto, videohub-sim (with its debug log read line by line and a read-only protocol
// client that mirrors its routing), render-sim playing the machines, failover-node, and a
// subscriber on the node's topics. Everything seen is appended to the shared Record.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "soak_record.h"
#include "soak_schedule.h"
#include "support/child_process.h"
#include "support/mosquitto_broker.h"

namespace failover::soak {

// Milliseconds since the soak started, on the steady clock.
class SoakClock {
 public:
  SoakClock() : zero_(std::chrono::steady_clock::now()) {}
  double nowMs() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - zero_)
        .count();
  }
  std::chrono::steady_clock::time_point at(double ms) const {
    return zero_ + std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
  }

 private:
  std::chrono::steady_clock::time_point zero_;
};

// The record, shared by the reader threads and the main thread.
class Recorder {
 public:
  explicit Recorder(const SoakClock& clock) : clock_(clock) {}
  double now() const { return clock_.nowMs(); }
  template <typename F>
  void with(F&& edit) {
    std::lock_guard lock(mutex_);
    edit(record_);
  }
  Record snapshot() {
    std::lock_guard lock(mutex_);
    return record_;
  }

 private:
  const SoakClock& clock_;
  std::mutex mutex_;
  Record record_;
};

// A thread that reads a child's stdout line by line until told to stop.
class LineReader {
 public:
  using OnLine = std::function<void(const std::string&)>;
  LineReader(testing::ChildProcess& process, OnLine on_line);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The router: videohub-sim on a fixed port, its control channel over TCP, its debug log,
// and a read-only protocol client from Facility::mirrorAddress() that records every routing
// block.
class Router {
 public:
  Router(Recorder& recorder, const Facility& facility);
  ~Router();

  // Starts the simulator on `port` (0: any) with `routing`; returns once it serves.
  void start(uint16_t port, const std::map<int, int>& routing);
  // Freezes the routing (the simulator ignores requests from then on), reads it, stops the
  // simulator and returns the routing it had.
  std::map<int, int> stop();
  bool running() const { return process_ != nullptr; }
  uint16_t port() const { return port_; }

  // Sends one control command; returns its answer line ("error ..." when there is none).
  std::string control(const std::string& command);
  // The routing as the read-only client last saw it.
  std::map<int, int> mirrored();
  // Sends one routing block (output -> input, 1-based) over the Videohub protocol from
  // `address`, as a node connected from there would, and waits for the router's ACK; for the
  // soak's self-check of who may route. Returns whether it was acknowledged.
  bool routeFrom(const std::string& address, const std::map<int, int>& routes);

 private:
  void onLogLine(const std::string& line);
  void mirrorLoop();
  void closeControl();

  Recorder& recorder_;
  const Facility& facility_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::unique_ptr<LineReader> log_reader_;
  std::atomic<uint16_t> port_{0};  // read by the mirror thread
  uint16_t control_port_ = 0;
  int control_fd_ = -1;
  std::string control_buffer_;
  std::atomic<bool> mirror_stop_{false};
  std::thread mirror_;
  std::mutex mirror_mutex_;
  std::map<int, int> mirrored_;
};

// render-sim with the five machines, driven through its stdin.
class Machines {
 public:
  Machines(const std::filesystem::path& directory, const Facility& facility, uint16_t port);
  // One command; returns the answer line.
  std::string command(const std::string& text);
  // Polls `status` until every machine that is not dropped is connected; bounded.
  bool waitLinksUp(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<testing::ChildProcess> process_;
};

// mosquitto_sub on the node's topics with a persistent session (the broker persists it
// across restarts), so events published while the soak's subscriber reconnects still arrive.
// In cluster mode also the cluster's announcements and the nodes' roles.
class BusWatch {
 public:
  BusWatch(Recorder& recorder, uint16_t port, const Facility& facility);
  ~BusWatch();
  // The latest payload on `topic` (non-retained or retained), if any.
  std::optional<std::string> latest(const std::string& topic);

 private:
  Recorder& recorder_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::unique_ptr<LineReader> reader_;
  std::mutex mutex_;
  std::map<std::string, std::string> latest_;
};

}  // namespace failover::soak
