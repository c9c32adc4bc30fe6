#pragma once

// A PahoMessageBus under test: it runs on its own io thread, as in the daemon, and what it
// reports is recorded for the test thread to await. Shared by the bus's plain and TLS tests.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <gtest/gtest.h>

#include "failover/mqtt/paho_message_bus.h"

namespace failover::testing {

// Collects what the bus reports (on the io thread) and logs (on any thread).
class BusRecorder {
 public:
  void connected() {
    update([&] { ++connects_; });
  }
  void lost() {
    update([&] { ++losses_; });
  }
  void message(const ports::BusMessage& message) {
    update([&] { messages_.push_back(message); });
  }
  void warning(std::string text) {
    update([&] { warnings_.push_back(std::move(text)); });
  }

  int connects() {
    std::lock_guard lock(mutex_);
    return connects_;
  }
  bool waitConnects(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return connects_ >= count; });
  }
  bool waitLosses(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return losses_ >= count; });
  }
  std::optional<ports::BusMessage> nextMessage(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !messages_.empty(); })) {
      return std::nullopt;
    }
    auto message = messages_.front();
    messages_.pop_front();
    return message;
  }
  // Waits for a warning that mentions `text`, or for a connect, whichever comes first;
  // returns the warning if there was one.
  std::optional<std::string> waitWarningOrConnect(const std::string& text,
                                                  std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& warning : warnings_) {
        if (warning.find(text) != std::string::npos) {
          found = warning;
          return true;
        }
      }
      return connects_ > 0;
    });
    return found;
  }

 private:
  template <typename Change>
  void update(Change change) {
    std::lock_guard lock(mutex_);
    change();
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int connects_ = 0;
  int losses_ = 0;
  std::deque<ports::BusMessage> messages_;
  std::vector<std::string> warnings_;
};

class BusHarness {
 public:
  BusHarness() = default;
  ~BusHarness() { stop(); }
  BusHarness(const BusHarness&) = delete;
  BusHarness& operator=(const BusHarness&) = delete;

  // Creates the bus with handlers feeding the recorder, starts the io thread and the bus.
  void start(const mqtt::BusSettings& settings) {
    ports::BusHandlers handlers;
    handlers.on_connected = [this] {
      recorder_.connected();
    };
    handlers.on_lost = [this](const std::string&) {
      recorder_.lost();
    };
    handlers.on_message = [this](const ports::BusMessage& message) {
      EXPECT_EQ(std::this_thread::get_id(), io_thread_.get_id())
          << "callbacks run on the io thread";
      recorder_.message(message);
    };
    bus_ = std::make_unique<mqtt::PahoMessageBus>(io_, settings, handlers);
    io_thread_ = std::thread([this] { io_.run(); });
    runOnIo([this] {
      std::string error;
      ASSERT_TRUE(bus_->start(error)) << error;
    });
  }

  // Runs `function` on the io thread and waits for it: the bus is single-threaded.
  template <typename Function>
  void runOnIo(Function function) {
    std::promise<void> done;
    asio::post(io_, [&] {
      function();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  }

  // Stops the bus (on its thread) and the io thread. Idempotent.
  void stop() {
    if (bus_ && io_thread_.joinable()) {
      runOnIo([this] { bus_->stop(1000); });
    }
    work_.reset();
    io_.stop();
    if (io_thread_.joinable()) {
      io_thread_.join();
    }
  }

  mqtt::PahoMessageBus& bus() { return *bus_; }
  BusRecorder& recorder() { return recorder_; }

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      asio::make_work_guard(io_)};
  std::thread io_thread_;
  BusRecorder recorder_;
  std::unique_ptr<mqtt::PahoMessageBus> bus_;
};

}  // namespace failover::testing
