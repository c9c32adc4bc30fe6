#include "failover/daemon/state_publisher.h"

#include <algorithm>

namespace failover::daemon {
namespace {

using Json = nlohmann::json;

// While messages flow, the counters on B/node/stats are refreshed at most this often.
constexpr auto kStatsInterval = std::chrono::seconds(2);
// Pair states published per turn of the io thread while a burst is being reported (about ten
// messages each), so that health messages and router answers are not kept waiting.
constexpr std::size_t kPairsPublishedPerTurn = 4;

const char* onOff(bool value) {
  return value ? "ON" : "OFF";
}

}  // namespace

StatePublisher::StatePublisher(const config::Config& config, const Topics& topics,
                               const TimeBase& time_base, NodeIdentity identity,
                               const engine::FailoverEngine& engine, ports::MessageBus& bus,
                               const core::TimeSource& time, ports::Timer* publish_timer,
                               NodeStats& stats)
    : config_(config),
      topics_(topics),
      time_base_(time_base),
      identity_(std::move(identity)),
      engine_(engine),
      bus_(bus),
      time_(time),
      publish_timer_(publish_timer),
      stats_(stats) {
  for (const auto& router : config_.routers) {
    initialRouterStatus(router);
  }
}

void StatePublisher::initialRouterStatus(const config::RouterSettings& router) {
  RouterStatus status;
  status.id = router.id;
  status.enabled = router.enabled;
  status.state = router.enabled ? "connecting" : "disabled";
  status.address = router.host + ":" + std::to_string(router.port);
  router_status_[router.id] = status;
}

void StatePublisher::publishEverything() {
  last_published_.clear();
  publishNodeInfo();
  publishStats();
  if (in_charge_) {
    publishFacility();
  }
}

void StatePublisher::setInCharge(bool in_charge) {
  if (in_charge == in_charge_) {
    return;
  }
  in_charge_ = in_charge;
  if (!in_charge_) {
    changed_pairs_.clear();
    changed_order_.clear();
    return;
  }
  // What the broker holds was published by the node in charge before: this node's memory of
  // its own last payloads says nothing about it, so all of it goes out again.
  last_published_.clear();
  publishNodeInfo();
  publishStats();
  publishFacility();
}

void StatePublisher::publishFacility() {
  for (const auto& [id, status] : router_status_) {
    publishRetained(topics_.routerState(id), routerStatusJson(status).dump());
  }
  for (const auto& pair : engine_.pairIds()) {
    publishPair(pair);
  }
  for (const auto& [pair, payload] : last_event_) {
    publishRetained(topics_.pairTopic(pair, "last_event"), payload);
  }
  if (config_.homeassistant.enabled) {
    publishDiscovery();
  }
}

void StatePublisher::publishDiscovery() {
  if (!in_charge_) {
    return;
  }
  for (const auto& [topic, payload] : identity_.discovery) {
    bus_.publish(topic, payload, {1, true, {}});
  }
}

void StatePublisher::replaceDiscovery(std::vector<std::pair<std::string, std::string>> discovery) {
  identity_.discovery = std::move(discovery);
  if (config_.homeassistant.enabled) {
    publishDiscovery();
  }
}

void StatePublisher::refreshStats() {
  if (time_.monotonicNow() - stats_published_at_ >= kStatsInterval) {
    publishStats();
  }
}

void StatePublisher::publishStats() {
  stats_published_at_ = time_.monotonicNow();
  Json rejected = Json::object();
  for (const auto& [reason, count] : stats_.rejected) {
    rejected[reason] = count;
  }
  const ports::BusCounters bus = bus_.counters();
  const ports::AuditTrailCounters audit =
      stats_.audit_trail != nullptr ? stats_.audit_trail->counters() : ports::AuditTrailCounters{};
  publishRetained(topics_.nodeStats(),
                  Json{{"health_messages", stats_.health_messages},
                       {"commands", stats_.commands},
                       {"duplicate_commands", stats_.duplicate_commands},
                       {"unknown_topics", stats_.unknown_topics},
                       {"commands_left_to_active", stats_.commands_left_to_active},
                       {"fenced_blocks", stats_.fenced_blocks},
                       {"switch_events", stats_.switch_events},
                       {"audit_records_written", audit.written},
                       {"audit_records_dropped", audit.dropped},
                       {"audit_write_errors", audit.write_errors},
                       {"rejected", std::move(rejected)},
                       {"mqtt",
                        {{"connects", bus.connects},
                         {"published", bus.published},
                         {"refused", bus.refused},
                         {"dropped", bus.dropped},
                         {"waiting", bus.waiting}}}}
                      .dump());
}

void StatePublisher::publishRouterStatus(const RouterStatus& status) {
  router_status_[status.id] = status;
  if (!in_charge_) {
    return;
  }
  publishRetained(topics_.routerState(status.id), routerStatusJson(status).dump());
}

void StatePublisher::pairChanged(const std::string& pair) {
  if (!in_charge_) {
    return;  // published whole when this node comes into charge
  }
  if (changed_pairs_.insert(pair).second) {
    changed_order_.push_back(pair);
  }
}

void StatePublisher::schedulePairPublishing() {
  if (changed_order_.empty()) {
    return;
  }
  if (publish_timer_ == nullptr) {
    publishChangedPairs(changed_order_.size());
    return;
  }
  if (publish_armed_) {
    return;
  }
  publish_armed_ = true;
  // Due at once, but it runs after what the io thread already has in hand, and publishes a
  // few pairs per turn: health messages and the router's answers that arrive meanwhile are
  // handled between the turns, so a burst of failures is routed before it is reported.
  publish_timer_->armAt(time_.monotonicNow(), [this] {
    publish_armed_ = false;
    publishChangedPairs(kPairsPublishedPerTurn);
    schedulePairPublishing();
  });
}

void StatePublisher::publishChangedPairs(std::size_t at_most) {
  std::size_t published = 0;
  while (published < at_most && published < changed_order_.size()) {
    const std::string pair = changed_order_[published++];  // a copy: the vector may grow
    changed_pairs_.erase(pair);
    publishPair(pair);
  }
  // Drop what was published, so that pairs changing without pause cannot grow the list.
  changed_order_.erase(changed_order_.begin(),
                       changed_order_.begin() + static_cast<std::ptrdiff_t>(published));
}

void StatePublisher::publishPair(const std::string& pair) {
  const auto view = engine_.pairView(pair);
  if (!view) {
    return;
  }
  publishRetained(topics_.pairState(pair), pairStateJson(*view, time_base_).dump());
  publishRetained(topics_.pairTopic(pair, "active"), view->active.value_or(""));
  publishRetained(topics_.pairTopic(pair, "mode"), config::toString(view->mode));
  publishRetained(topics_.pairTopic(pair, "armed"), onOff(view->armed));
  publishRetained(topics_.pairTopic(pair, "failover"), engine::toString(view->failover));
  publishRetained(topics_.pairTopic(pair, "switch_advised"), onOff(view->switch_advised));
  for (const auto& machine : view->machines) {
    publishRetained(topics_.machineProblem(pair, machine.id), onOff(!machine.healthy));
  }
}

void StatePublisher::publishSwitchEvent(const engine::SwitchEvent& event) {
  if (!in_charge_) {
    return;
  }
  std::string payload = switchEventJson(event, time_base_).dump();
  publishEvent(topics_.pairTopic(event.pair, "event"), payload);
  last_event_[event.pair] = payload;
  publishRetained(topics_.pairTopic(event.pair, "last_event"), std::move(payload));
  if (const auto total = totalLatencyMs(event)) {
    publishRetained(topics_.pairTopic(event.pair, "last_latency_ms"), Json(*total).dump());
  }
}

void StatePublisher::publishAudit(const engine::AuditEvent& audit) {
  if (!in_charge_) {
    return;
  }
  const std::string topic = audit.pair.empty() ? topics_.routerTopic(audit.router, "audit")
                                               : topics_.pairTopic(audit.pair, "audit");
  publishEvent(topic, auditEventJson(audit, time_.wallNow()).dump());
}

void StatePublisher::publishNodeEvent(const Json& event) {
  publishEvent(topics_.nodeEvent(), event.dump());
}

void StatePublisher::reloaded(
    const config::Config& previous, const config::ConfigDiff& diff, NodeIdentity identity,
    const std::vector<std::pair<std::string, std::string>>& discovery_removed) {
  identity_ = std::move(identity);
  if (!in_charge_) {
    // The node in charge clears and announces the facility's topics; this one keeps the
    // routers' new statuses for when it comes into charge.
    for (const auto& id : diff.routers.removed) {
      router_status_.erase(id);
    }
    for (const auto& ids : {diff.routers.added, diff.routers.changed}) {
      for (const auto& id : ids) {
        initialRouterStatus(*config_.findRouter(id));
      }
    }
    publishNodeInfo();
    return;
  }
  for (const auto& id : diff.pairs.removed) {
    if (const auto* pair = previous.findPair(id)) {
      clearPair(*pair);
    }
  }
  for (const auto& id : diff.pairs.changed) {
    const auto* before = previous.findPair(id);
    const auto* after = config_.findPair(id);
    for (const auto* machine : {&before->main, &before->backup}) {
      if (*machine != after->main && *machine != after->backup) {
        clearRetained(topics_.machineProblem(id, *machine));
      }
    }
  }
  for (const auto& id : diff.routers.removed) {
    router_status_.erase(id);
    clearRetained(topics_.routerState(id));
  }
  for (const auto& ids : {diff.routers.added, diff.routers.changed}) {
    for (const auto& id : ids) {
      initialRouterStatus(*config_.findRouter(id));
      publishRetained(topics_.routerState(id), routerStatusJson(router_status_[id]).dump());
    }
  }
  for (const auto& [topic, payload] : discovery_removed) {
    bus_.publish(topic, payload, {1, true, {}});
    ++stats_.published;
  }
  publishNodeInfo();
  if (config_.homeassistant.enabled) {
    publishDiscovery();
  }
  for (const auto& ids : {diff.pairs.added, diff.pairs.changed}) {
    for (const auto& id : ids) {
      pairChanged(id);
    }
  }
}

void StatePublisher::clearPair(const config::PairSettings& pair) {
  // Every retained topic the node may have published for the pair: those it remembers and
  // those it may have published before the last reconnect (last_latency_ms is not sent again
  // on a connect).
  static constexpr const char* kLeaves[] = {"state",      "active",         "mode",
                                            "armed",      "failover",       "switch_advised",
                                            "last_event", "last_latency_ms"};
  std::vector<std::string> topics;
  for (const char* leaf : kLeaves) {
    topics.push_back(topics_.pairTopic(pair.id, leaf));
  }
  topics.push_back(topics_.machineProblem(pair.id, pair.main));
  topics.push_back(topics_.machineProblem(pair.id, pair.backup));
  const std::string prefix = topics_.pairTopic(pair.id, "");
  for (const auto& [topic, payload] : last_published_) {
    if (topic.compare(0, prefix.size(), prefix) == 0 &&
        std::find(topics.begin(), topics.end(), topic) == topics.end()) {
      topics.push_back(topic);
    }
  }
  for (const auto& topic : topics) {
    clearRetained(topic);
  }
  last_event_.erase(pair.id);
  if (changed_pairs_.erase(pair.id) != 0) {
    std::erase(changed_order_, pair.id);
  }
}

void StatePublisher::clearRetained(const std::string& topic) {
  last_published_.erase(topic);
  bus_.publish(topic, "", {1, true, {}});
  ++stats_.published;
}

void StatePublisher::publishNodeInfo() {
  Json pairs = Json::array();
  for (const auto& pair : config_.pairs) {
    pairs.push_back(pair.id);
  }
  Json routers = Json::array();
  for (const auto& router : config_.routers) {
    routers.push_back(router.id);
  }
  publishRetained(topics_.nodeInfo(), Json{{"node_id", config_.node_id},
                                           {"version", identity_.version},
                                           {"started", rfc3339(time_base_.wall)},
                                           {"config_hash", identity_.config_hash},
                                           {"pairs", std::move(pairs)},
                                           {"routers", std::move(routers)},
                                           {"facility", facilityJson(config_)}}
                                          .dump());
}

void StatePublisher::publishRetained(const std::string& topic, std::string payload) {
  const auto [last, first] = last_published_.try_emplace(topic, payload);
  if (!first) {
    if (last->second == payload) {
      return;  // unchanged state is not published again
    }
    last->second = payload;
  }
  bus_.publish(topic, std::move(payload), {1, true, {}});
  ++stats_.published;
}

void StatePublisher::publishEvent(const std::string& topic, std::string payload) {
  bus_.publish(topic, std::move(payload), {1, false, {}});
  ++stats_.published;
}

}  // namespace failover::daemon
