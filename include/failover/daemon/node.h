#pragma once

// Node: the running daemon's orchestrator. It owns the failover engine and drives it with
// what arrives from the bus and the routers, executes the engine's actions through the
// ports (publish, route, save settings), and keeps the engine's single timer armed.
// Everything runs on one thread (the io thread): adapters call in only from there.
//
// Re-entrancy: a router may report on a routing block synchronously, inside sendRoutes();
// events that arrive while actions are being executed are queued and handled right after, in
// order.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "failover/config/config.h"
#include "failover/core/time.h"
#include "failover/daemon/json_views.h"
#include "failover/daemon/topics.h"
#include "failover/engine/failover_engine.h"
#include "failover/ports/message_bus.h"
#include "failover/ports/router_control.h"
#include "failover/ports/timer.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace failover::daemon {

struct NodeIdentity {
  std::string version;
  std::string config_hash;
  // Home Assistant discovery messages (topic, payload), published retained on every
  // connect and when Home Assistant announces itself online.
  std::vector<std::pair<std::string, std::string>> discovery;
};

struct NodeStats {
  uint64_t health_messages = 0;
  uint64_t commands = 0;
  uint64_t unknown_topics = 0;
  std::map<std::string, uint64_t> rejected;  // by reason: invalid_json, too_large, ...
  uint64_t duplicate_commands = 0;
  uint64_t switch_events = 0;
  uint64_t published = 0;
};

struct NodePorts {
  ports::MessageBus& bus;
  const core::TimeSource& time;
  ports::Timer& engine_timer;
  std::map<std::string, ports::RouterControl*> routers;  // by router id
  // Optional. When given, changed pair states are published from this timer, armed to fire
  // at once: after the io thread has handled what was already waiting, so a burst of
  // failures is routed before ~10 state messages per pair are published. Without it they
  // are published at the end of each handled event.
  ports::Timer* publish_timer = nullptr;
};

class Node {
 public:
  // REQUIRES: `config` is valid (config::validate) with run-time state already applied.
  Node(const config::Config& config, NodePorts ports, NodeIdentity identity);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Subscribes and starts the engine's clock. Call once, before the bus connects.
  void start();

  // From the bus adapter.
  void onBusConnected();
  void onBusLost();
  void onBusMessage(const ports::BusMessage& message);

  // From a router adapter: what the router reports, and how its connection looks.
  void onRouterObserved(engine::RouterObserved observed);
  void onRouterStatus(const RouterStatus& status);

  const NodeStats& stats() const { return stats_; }
  const engine::FailoverEngine& engineForTest() const { return engine_; }

 private:
  struct PendingReply {
    std::string pair;
    std::string command;         // request name; empty for set topics
    std::string response_topic;  // MQTT 5 response topic, when allowed
    std::string correlation_data;
    std::string dedupe_key;
  };
  struct Answered {
    core::MonoTime at;
    std::optional<std::string> response;  // unset while the command is in flight
  };

  void dispatch(engine::Event event);
  void drainQueue();
  void execute(std::vector<engine::Action> actions);
  void rearmEngineTimer();
  void handleBusMessage(const ports::BusMessage& message);
  void onHealth(const HealthTopic& topic, const ports::BusMessage& message);
  void onCommand(const CommandTopic& topic, const ports::BusMessage& message);
  void reject(std::string_view reason, const std::string& topic);
  void reply(const PendingReply& pending, const std::string& payload);
  void publishRetained(const std::string& topic, std::string payload);
  void publishEvent(const std::string& topic, std::string payload);
  void publishPair(const std::string& pair);
  // Publishes (up to `at_most` of) the pairs whose state changed, once each, in the order
  // they first changed; schedulePairPublishing() calls it at once or from the publish timer.
  void schedulePairPublishing();
  void publishChangedPairs(std::size_t at_most);
  void publishEverything();
  void publishNodeInfo();
  // Counters, retained on B/node/stats: on every connect, with each (rate-limited) report of
  // rejected payloads, and every few seconds while messages arrive.
  void publishStats();
  void expireAnswered(core::MonoTime now);

  config::Config config_;
  NodePorts ports_;
  NodeIdentity identity_;
  Topics topics_;
  TimeBase time_base_;
  engine::FailoverEngine engine_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> engine_log_;

  std::deque<engine::Event> queue_;
  bool draining_ = false;
  bool in_burst_ = false;  // more bus messages that arrived together follow at once
  bool publish_armed_ = false;
  std::unordered_set<std::string> changed_pairs_;  // changed and not yet published
  std::vector<std::string> changed_order_;         // the same, in the order they changed
  uint64_t next_command_id_ = 1;
  std::unordered_map<std::string, PendingReply> pending_replies_;  // by command id
  std::unordered_map<std::string, Answered> answered_;             // by dedupe key
  std::deque<std::pair<core::MonoTime, std::string>> answered_order_;
  std::unordered_map<std::string, std::string> last_published_;  // retained topic → payload
  std::map<std::string, RouterStatus> router_status_;
  std::map<std::string, std::string> last_event_;  // pair → last switch event payload
  std::map<std::string, core::MonoTime> rejection_logged_;
  NodeStats stats_;
  core::MonoTime stats_published_at_{};
  std::optional<core::MonoTime> engine_timer_at_;  // when the armed engine timer fires
};

}  // namespace failover::daemon
