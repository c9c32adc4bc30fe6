#include "bench_bus.h"

#include <thread>
#include <utility>

namespace failover::bench {

BenchBus::BenchBus(const std::string& uri, const std::string& client_id) : client_(uri, client_id) {
  client_.set_message_callback([this](mqtt::const_message_ptr message) {
    Received item{message->get_topic(), message->to_string(), Clock::now()};
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(item));
    }
    arrived_.notify_one();
  });
  mqtt::connect_options options;
  options.set_clean_session(true);
  options.set_keep_alive_interval(30);
  // Many QoS 1 commands may be outstanding while QoS 0 traffic floods the connection.
  options.set_max_inflight(1000);
  client_.connect(options)->wait();
}

BenchBus::~BenchBus() {
  try {
    client_.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const std::exception&) {
    // Already gone: nothing to clean up.
  }
}

void BenchBus::subscribe(const std::string& filter, int qos) {
  client_.subscribe(filter, qos)->wait();
}

void BenchBus::publish(const std::string& topic, const std::string& payload, int qos,
                       bool retained) {
  // The client library refuses messages while its queue is full: wait for it to drain
  // (bounded), as a publisher faster than the socket must.
  for (int attempt = 0;; ++attempt) {
    try {
      client_.publish(topic, payload.data(), payload.size(), qos, retained);
      return;
    } catch (const mqtt::exception& error) {
      if (error.get_return_code() != MQTTASYNC_MAX_BUFFERED_MESSAGES || attempt >= 100'000) {
        throw;
      }
      ++backpressure_waits_;
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
}

void BenchBus::publishAndWait(const std::string& topic, const std::string& payload, int qos,
                              bool retained) {
  client_.publish(topic, payload.data(), payload.size(), qos, retained)->wait();
}

std::optional<Received> BenchBus::waitFor(const std::function<bool(const Received&)>& match,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    while (!queue_.empty()) {
      Received item = std::move(queue_.front());
      queue_.pop_front();
      if (match(item)) {
        return item;
      }
    }
    if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout && queue_.empty()) {
      return std::nullopt;
    }
  }
}

void BenchBus::clear() {
  std::lock_guard lock(mutex_);
  queue_.clear();
}

}  // namespace failover::bench
