#pragma once

// One MQTT client for the node benchmarks: publishes without waiting, and queues every
// message it receives with its arrival time, so a benchmark can wait for the one it needs.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <mqtt/async_client.h>

namespace failover::bench {

using Clock = std::chrono::steady_clock;

struct Received {
  std::string topic;
  std::string payload;
  Clock::time_point at;
};

class BenchBus {
 public:
  // Connects (MQTT 3.1.1, clean session) to `uri` as `client_id`; throws on failure.
  BenchBus(const std::string& uri, const std::string& client_id);
  ~BenchBus();
  BenchBus(const BenchBus&) = delete;
  BenchBus& operator=(const BenchBus&) = delete;

  void subscribe(const std::string& filter, int qos);
  // Returns at once; QoS 0 messages are not confirmed.
  void publish(const std::string& topic, const std::string& payload, int qos = 0,
               bool retained = false);
  // Publishes and waits until the client library has handed the message to the broker.
  void publishAndWait(const std::string& topic, const std::string& payload, int qos,
                      bool retained = false);

  // Takes received messages oldest first, dropping those that do not match, until one does.
  std::optional<Received> waitFor(const std::function<bool(const Received&)>& match,
                                  std::chrono::milliseconds timeout);
  void clear();
  // How often publish() waited for the client library's queue to drain.
  long backpressureWaits() const { return backpressure_waits_; }

 private:
  mqtt::async_client client_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<Received> queue_;
  long backpressure_waits_ = 0;
};

}  // namespace failover::bench
