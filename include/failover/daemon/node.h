#pragma once

// Node: the running daemon's dispatcher. It owns the failover engine and feeds it what
// arrives from the bus (health, through parseHealthPayload; commands, through the
// CommandHandler) and from the routers, keeps the engine's single timer armed, and hands
// each of the engine's actions to the part that carries it out: routing blocks to the
// routers' ports, replies to the CommandHandler, states and events to the StatePublisher.
// Changed run-time settings go to the RunStateStore port, and every switch, failed switch and
// changed setting to the AuditTrail port; neither ever blocks.
// Everything runs on one thread (the io thread): adapters call in only from there.
//
// Re-entrancy: a router may report on a routing block synchronously, inside sendRoutes();
// events that arrive while actions are being executed are queued and handled right after, in
// order.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "failover/config/config.h"
#include "failover/config/config_diff.h"
#include "failover/config/loader.h"
#include "failover/core/time.h"
#include "failover/daemon/audit_record.h"
#include "failover/daemon/command_handler.h"
#include "failover/daemon/json_views.h"
#include "failover/daemon/node_stats.h"
#include "failover/daemon/state_publisher.h"
#include "failover/daemon/topics.h"
#include "failover/engine/failover_engine.h"
#include "failover/ports/audit_trail.h"
#include "failover/ports/message_bus.h"
#include "failover/ports/router_control.h"
#include "failover/ports/run_state_store.h"
#include "failover/ports/timer.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace failover::daemon {

// How the node reads its configuration file again and follows it with its adapters
// (B/node/request/reload, SIGHUP). Every function is called on the io thread. Without `load`
// a reload is refused.
struct ReloadPorts {
  // Reads and validates the configuration file the node was started with.
  std::function<config::LoadResult()> load;
  // What B/node/info and Home Assistant discovery say about a configuration.
  std::function<NodeIdentity(const config::Config& next)> identity;
  // The empty retained messages that remove the discovery devices `previous` announced and
  // `next` does not.
  std::function<std::vector<std::pair<std::string, std::string>>(const config::Config& previous,
                                                                 const config::Config& next)>
      discovery_removed;
  // Opens (and starts) the connection to an added or changed router, with the run-time
  // `enabled` in `router`; returns its port, which must live until close_router(id).
  std::function<ports::RouterControl*(const config::RouterSettings& router,
                                      const config::Config& config)>
      open_router;
  // Closes the connection to a removed or changed router; it reports nothing more.
  std::function<void(const std::string& router)> close_router;
};

struct NodePorts {
  ports::MessageBus& bus;
  const core::TimeSource& time;
  ports::Timer& engine_timer;
  std::map<std::string, ports::RouterControl*> routers;  // by router id
  // Optional: see StatePublisher. Without it, changed pair states are published at the end
  // of each handled event.
  ports::Timer* publish_timer = nullptr;
  // Optional: where changed run-time settings are saved (FileRunStateStore on the state
  // file). Without it they last until the node stops.
  ports::RunStateStore* run_state = nullptr;
  // Optional: where the audit trail goes (FileAuditTrail on audit_log). Without it there is
  // none.
  ports::AuditTrail* audit_trail = nullptr;
  ReloadPorts reload;
  // Cluster mode: may this node route now? Asked before every routing block; a block is sent
  // only on yes (ClusterBus::fenceOpen). Unset: always.
  std::function<bool()> may_route;
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

  // Cluster mode (SPEC 8.1): this node came into charge (its fence opened) or left it. A node
  // of a cluster starts as a standby: it follows health and routing with the engine in shadow,
  // follows the run-time settings the node in charge publishes (mode, armed, router enabled),
  // leaves pair and router commands to the node in charge, and publishes only its own node
  // topics. In charge it acts, answers and publishes like a single node, from the next event.
  void setInCharge(bool in_charge, const std::string& reason);
  bool inCharge() const { return in_charge_; }

  // New Home Assistant discovery messages for the running configuration (cluster mode: the
  // nodes the cluster's entities depend on changed); published at once when in charge.
  void replaceDiscovery(std::vector<std::pair<std::string, std::string>> discovery);

  // From a router adapter: what the router reports, and how its connection looks.
  void onRouterObserved(engine::RouterObserved observed);
  void onRouterStatus(const RouterStatus& status);

  // Appends `record` to the audit trail, stamped with this node and the time now; nothing
  // without one. The node records its switches and changed settings itself; the daemon
  // records its start, stop and reloads with this.
  void audit(const AuditRecord& record);

  // Reads the configuration file again and applies it whole, or changes nothing (SPEC 8.3,
  // docs/operations.md): a file with errors, or one that changes settings only a restart
  // can change, is refused with the reasons. Unchanged pairs keep their state; new and
  // changed ones get their own start-up grace; removed ones are cleared from the bus.
  // Publishes the outcome as a node event (B/node/event) and logs it; returns the answer
  // payload ({"status":"ok","data":{...}} or {"status":"error",...}) for `transaction`.
  // REQUIRES: not called from inside the node's own handlers (the io thread, between events).
  nlohmann::json reload(const std::string& requested_by,
                        const std::optional<std::string>& transaction);

  // reload() asked for by SIGHUP: requested_by "signal"; the answer goes to
  // B/node/response/reload as well.
  void reloadOnSignal();

  const NodeStats& stats() const { return stats_; }
  const engine::FailoverEngine& engineForTest() const { return engine_; }

 private:
  void dispatch(engine::Event event);
  void drainQueue();
  void rearmEngineTimer();
  void handleBusMessage(const ports::BusMessage& message);
  void onHealth(const HealthTopic& topic, const ports::BusMessage& message);
  // Coming into charge: the locks of the pairs' outputs on routers with lock_outputs.
  void takeOutputLocks();
  // A standby follows a run-time setting the node in charge published.
  void followActive(const Topics::MirrorTopic& topic, const ports::BusMessage& message);
  // Counts a payload that is not understood (B/node/stats), and logs it at most every few
  // seconds per reason.
  void reject(std::string_view reason, const std::string& topic);

  // The engine's actions, each to the part that carries it out.
  void execute(std::vector<engine::Action> actions);
  void perform(const engine::RouteRequest& request);
  void perform(const engine::PairStateChanged& changed);
  void perform(const engine::SwitchEventAction& action);
  void perform(const engine::AuditEvent& audit);
  void perform(const engine::CommandReply& reply);
  void perform(const engine::Warning& warning);
  void perform(const engine::SetRouterConnection& connection);
  void perform(const engine::SaveRunState& save);

  // node_reload.cpp
  nlohmann::json refuseReload(const std::string& requested_by,
                              const std::optional<std::string>& transaction, std::string_view code,
                              const std::string& message, nlohmann::json details);
  void applyReload(config::Config next, const config::ConfigDiff& diff);
  void followRouters(const config::ConfigDiff& diff);

  config::Config config_;
  NodePorts ports_;
  Topics topics_;
  TimeBase time_base_;
  engine::FailoverEngine engine_;
  NodeStats stats_;
  StatePublisher publisher_;
  CommandHandler commands_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> engine_log_;

  bool in_charge_ = true;  // always, without a cluster
  std::deque<engine::Event> queue_;
  bool draining_ = false;
  bool in_burst_ = false;  // more bus messages that arrived together follow at once
  std::map<std::string, core::MonoTime> rejection_logged_;
  std::optional<core::MonoTime> engine_timer_at_;  // when the armed engine timer fires
  // The switch command the engine is handling, while its actions are executed: a refusal among
  // them is a failed switch for the audit trail.
  const engine::SwitchCommand* handling_switch_ = nullptr;
};

}  // namespace failover::daemon
