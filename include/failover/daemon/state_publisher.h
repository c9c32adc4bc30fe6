#pragma once

// StatePublisher: everything the node publishes about itself, its routers and its pairs
// (SPEC 5.2, docs/mqtt-api.md), except answers to commands (CommandHandler). It keeps the last
// payload of every retained topic and publishes a retained topic only when its payload
// changed; it publishes the states of changed pairs after the burst that changed them; and on
// every connect it publishes all of it again.
//
// Thread model: the io thread only. It reads the engine (pair views) but never drives it.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "failover/config/config.h"
#include "failover/config/config_diff.h"
#include "failover/core/time.h"
#include "failover/daemon/json_views.h"
#include "failover/daemon/node_stats.h"
#include "failover/daemon/topics.h"
#include "failover/engine/actions.h"
#include "failover/engine/failover_engine.h"
#include "failover/ports/message_bus.h"
#include "failover/ports/timer.h"

namespace failover::daemon {

// What B/node/info says about the running node, and its Home Assistant discovery.
struct NodeIdentity {
  std::string version;
  std::string config_hash;
  // Home Assistant discovery messages (topic, payload), published retained on every
  // connect and when Home Assistant announces itself online.
  std::vector<std::pair<std::string, std::string>> discovery;
};

class StatePublisher {
 public:
  // Every reference must outlive the publisher. `publish_timer` is optional: with it, changed
  // pair states are published from that timer, armed to fire at once, a few pairs per turn
  // (after the io thread has handled what was already waiting, so a burst of failures is
  // routed before ~10 state messages per pair are published); without it,
  // schedulePairPublishing() publishes them all at once.
  StatePublisher(const config::Config& config, const Topics& topics, const TimeBase& time_base,
                 NodeIdentity identity, const engine::FailoverEngine& engine,
                 ports::MessageBus& bus, const core::TimeSource& time, ports::Timer* publish_timer,
                 NodeStats& stats);
  StatePublisher(const StatePublisher&) = delete;
  StatePublisher& operator=(const StatePublisher&) = delete;

  // The broker (re)connected: forgets what it published (a broker restart may have lost its
  // retained messages) and publishes node info, counters, every router and pair state, the
  // last switch events and the discovery messages.
  void publishEverything();

  // The discovery messages, retained (Home Assistant announced itself online).
  void publishDiscovery();
  // New discovery messages for the same configuration (in cluster mode, another node of the
  // cluster became known); published at once when in charge.
  void replaceDiscovery(std::vector<std::pair<std::string, std::string>> discovery);

  // Cluster mode (SPEC 8.1): only the node in charge publishes the pairs' and routers' topics,
  // their events and the discovery; a standby publishes its own node topics only. Coming into
  // charge publishes every pair and router state and the discovery again (what the broker
  // holds came from the node in charge before). A publisher starts in charge.
  void setInCharge(bool in_charge);
  bool inCharge() const { return in_charge_; }

  // Counters on B/node/stats, now; refreshStats() only when kStatsInterval has passed since
  // the last time (called for every arriving message).
  void publishStats();
  void refreshStats();

  // A router connection's status, on B/router/<r>/state when it changed.
  void publishRouterStatus(const RouterStatus& status);

  // The pair's state changed; it is published by the next schedulePairPublishing().
  void pairChanged(const std::string& pair);
  // Publishes the pairs that changed, once each, in the order they first changed: at once
  // without a publish timer, else from it (a few per turn).
  void schedulePairPublishing();

  // A switch event on B/pair/<p>/event, its retained copy on last_event and, for a confirmed
  // switch, last_latency_ms.
  void publishSwitchEvent(const engine::SwitchEvent& event);
  // A changed run-time setting on B/pair/<p>/audit or B/router/<r>/audit, not retained.
  void publishAudit(const engine::AuditEvent& audit);

  // The hash of the configuration in B/node/info.
  const std::string& configHash() const { return identity_.config_hash; }

  // An event of the node itself (a reload) on B/node/event, not retained.
  void publishNodeEvent(const nlohmann::json& event);

  // The node took over a new configuration (the one the publisher reads now); `previous` is
  // the one it ran before. Every retained topic of a removed pair or router is cleared (an
  // empty retained payload), and so is a changed pair's machine topic of a machine it no
  // longer has; `discovery_removed` (empty payloads of Home Assistant devices no longer
  // announced) is published; a new or changed router starts as connecting; node info and the
  // discovery of `identity` are published, and the states of new and changed pairs follow.
  void reloaded(const config::Config& previous, const config::ConfigDiff& diff,
                NodeIdentity identity,
                const std::vector<std::pair<std::string, std::string>>& discovery_removed);

 private:
  void publishRetained(const std::string& topic, std::string payload);
  void publishEvent(const std::string& topic, std::string payload);
  void publishPair(const std::string& pair);
  void publishChangedPairs(std::size_t at_most);
  void publishNodeInfo();
  // Every router and pair state, the last switch events and the discovery.
  void publishFacility();
  // An empty retained payload on `topic` (removes the broker's copy); forgets its last value.
  void clearRetained(const std::string& topic);
  void clearPair(const config::PairSettings& pair);
  void initialRouterStatus(const config::RouterSettings& router);

  const config::Config& config_;
  const Topics& topics_;
  const TimeBase& time_base_;
  NodeIdentity identity_;
  const engine::FailoverEngine& engine_;
  ports::MessageBus& bus_;
  const core::TimeSource& time_;
  ports::Timer* publish_timer_;
  NodeStats& stats_;

  bool publish_armed_ = false;
  bool in_charge_ = true;
  std::unordered_set<std::string> changed_pairs_;  // changed and not yet published
  std::vector<std::string> changed_order_;         // the same, in the order they changed
  std::unordered_map<std::string, std::string> last_published_;  // retained topic → payload
  std::map<std::string, RouterStatus> router_status_;
  std::map<std::string, std::string> last_event_;  // pair → last switch event payload
  core::MonoTime stats_published_at_{};
};

}  // namespace failover::daemon
