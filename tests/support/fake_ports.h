#pragma once

// In-memory stand-ins for the node's ports (message bus, clock, timer, router, run-state
// store), so the daemon's orchestrator can be tested without sockets, threads, sleeps or
// files. Everything is driven by the test on its own thread: time moves only when the test
// advances it.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "failover/config/state_file.h"
#include "failover/core/route.h"
#include "failover/core/time.h"
#include "failover/engine/events.h"
#include "failover/ports/audit_trail.h"
#include "failover/ports/message_bus.h"
#include "failover/ports/router_control.h"
#include "failover/ports/run_state_store.h"
#include "failover/ports/timer.h"

namespace failover::testing {

// A clock that stands still until the test moves it. Wall time moves with monotonic time.
class ManualTimeSource : public core::TimeSource {
 public:
  ManualTimeSource()
      : mono_(core::MonoTime{} + std::chrono::hours(1)),
        wall_(core::WallTime{} + std::chrono::seconds(1'764'000'000)) {}

  core::MonoTime monotonicNow() const override { return mono_; }
  core::WallTime wallNow() const override { return wall_; }

  void advance(core::Duration by) {
    mono_ += by;
    wall_ += std::chrono::duration_cast<core::WallClock::duration>(by);
  }
  void advanceMs(int64_t ms) { advance(std::chrono::milliseconds(ms)); }

 private:
  core::MonoTime mono_;
  core::WallTime wall_;
};

// One-shot timer: keeps the last deadline and callback; the test fires it when due.
class FakeTimer : public ports::Timer {
 public:
  void armAt(core::MonoTime deadline, std::function<void()> callback) override {
    deadline_ = deadline;
    callback_ = std::move(callback);
    ++armed_count_;
  }
  void cancel() override {
    deadline_.reset();
    callback_ = nullptr;
  }

  const std::optional<core::MonoTime>& deadline() const { return deadline_; }
  int armedCount() const { return armed_count_; }

  // Runs the callback when armed and `now` has reached the deadline. Returns whether it ran.
  bool fireIfDue(core::MonoTime now) {
    if (!deadline_ || now < *deadline_ || !callback_) {
      return false;
    }
    auto callback = std::move(callback_);
    callback_ = nullptr;
    deadline_.reset();
    callback();  // may re-arm
    return true;
  }

 private:
  std::optional<core::MonoTime> deadline_;
  std::function<void()> callback_;
  int armed_count_ = 0;
};

struct Published {
  std::string topic;
  std::string payload;
  ports::PublishOptions options;
};

// Records every publish and subscription; the test delivers messages through the handlers
// it registers (normally the node's).
class FakeMessageBus : public ports::MessageBus {
 public:
  void publish(const std::string& topic, std::string payload,
               const ports::PublishOptions& options) override {
    published_.push_back({topic, std::move(payload), options});
  }
  void subscribe(const std::string& filter, ports::SubscriptionKind kind) override {
    subscriptions_.emplace_back(filter, kind);
  }
  bool connected() const override { return connected_; }
  ports::BusCounters counters() const override { return counters_; }
  // What counters() reports next.
  void setCounters(const ports::BusCounters& counters) { counters_ = counters; }

  void setHandlers(ports::BusHandlers handlers) { handlers_ = std::move(handlers); }

  // What the broker would report.
  void connect() {
    connected_ = true;
    if (handlers_.on_connected) {
      handlers_.on_connected();
    }
  }
  void lose(const std::string& cause = "test") {
    connected_ = false;
    if (handlers_.on_lost) {
      handlers_.on_lost(cause);
    }
  }
  void inject(ports::BusMessage message) {
    if (handlers_.on_message) {
      handlers_.on_message(message);
    }
  }
  void inject(const std::string& topic, const std::string& payload, bool retained = false) {
    ports::BusMessage message;
    message.topic = topic;
    message.payload = payload;
    message.retained = retained;
    inject(std::move(message));
  }

  const std::vector<Published>& published() const { return published_; }
  const std::vector<std::pair<std::string, ports::SubscriptionKind>>& subscriptions() const {
    return subscriptions_;
  }
  void clear() { published_.clear(); }

  // Every publish on `topic`, oldest first.
  std::vector<Published> on(const std::string& topic) const {
    std::vector<Published> found;
    std::copy_if(published_.begin(), published_.end(), std::back_inserter(found),
                 [&](const Published& item) { return item.topic == topic; });
    return found;
  }
  std::optional<Published> last(const std::string& topic) const {
    const auto found = on(topic);
    return found.empty() ? std::nullopt : std::optional<Published>(found.back());
  }
  std::size_t count(const std::string& topic) const { return on(topic).size(); }

 private:
  bool connected_ = false;
  ports::BusCounters counters_;
  ports::BusHandlers handlers_;
  std::vector<Published> published_;
  std::vector<std::pair<std::string, ports::SubscriptionKind>> subscriptions_;
};

// Records routing blocks and lockOutputs() calls. The test reports on each block later
// (report(), acknowledge(), refuse()), or from the onBlock() hook, inside sendRoutes, as a fast
// router client may.
class FakeRouter : public ports::RouterControl {
 public:
  using Report = std::function<void(const core::BlockOutcome&)>;

  struct Block {
    std::vector<core::Route> routes;
    Report report;
  };

  void sendRoutes(std::vector<core::Route> routes, Report report) override {
    blocks_.push_back({std::move(routes), std::move(report)});
    if (on_block_) {
      on_block_(blocks_.size() - 1);
    }
  }
  void lockOutputs(std::vector<int> outputs, Report report) override {
    lock_calls_.push_back({std::move(outputs), std::move(report)});
  }
  void setEnabled(bool enabled) override { enabled_calls_.push_back(enabled); }

  // Called inside sendRoutes with the block's index; may report on it at once.
  void onBlock(std::function<void(std::size_t)> hook) { on_block_ = std::move(hook); }

  // Reports `outcome` for block `index`, as given: the test keeps the order of route.h.
  void report(std::size_t index, const core::BlockOutcome& outcome) {
    auto report = blocks_.at(index).report;  // a copy: reporting may add blocks
    report(outcome);
  }
  // Block `index` was written at `sent_at` and the router answered ACK.
  void acknowledge(std::size_t index, core::MonoTime sent_at) {
    report(index, core::BlockSent{sent_at});
    report(index, core::BlockAcknowledged{});
  }
  // Block `index` was never written.
  void refuse(std::size_t index, core::BlockRefusal reason, const std::string& detail = "") {
    report(index, core::BlockRefused{reason, detail});
  }

  const std::vector<Block>& blocks() const { return blocks_; }
  const std::vector<bool>& enabledCalls() const { return enabled_calls_; }
  // lockOutputs() calls, in order; the test reports on them through their `report`.
  struct LockCall {
    std::vector<int> outputs;
    Report report;
  };
  const std::vector<LockCall>& lockCalls() const { return lock_calls_; }

 private:
  std::vector<Block> blocks_;
  std::vector<bool> enabled_calls_;
  std::vector<LockCall> lock_calls_;
  std::function<void(std::size_t)> on_block_;
};

// Records every state the node saves, in order.
class FakeRunStateStore : public ports::RunStateStore {
 public:
  void save(const config::RunState& state) override { saved_.push_back(state); }

  const std::vector<config::RunState>& saved() const { return saved_; }

 private:
  std::vector<config::RunState> saved_;
};

// Records every line appended to the audit trail, in order; reports the counters set.
class FakeAuditTrail : public ports::AuditTrail {
 public:
  void append(std::string line) override { lines_.push_back(std::move(line)); }
  ports::AuditTrailCounters counters() const override { return counters_; }
  void setCounters(const ports::AuditTrailCounters& counters) { counters_ = counters; }

  const std::vector<std::string>& lines() const { return lines_; }
  void clear() { lines_.clear(); }

 private:
  std::vector<std::string> lines_;
  ports::AuditTrailCounters counters_;
};

}  // namespace failover::testing
