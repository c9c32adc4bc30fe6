#include "failover/daemon/node.h"

#include <type_traits>

#include <spdlog/spdlog.h>

#include "failover/config/state_file.h"
#include "failover/daemon/command_parser.h"
#include "failover/daemon/health_payload.h"

namespace failover::daemon {
namespace {

using Json = nlohmann::json;

// Duplicate commands (same transaction) within this window are answered again, not redone.
constexpr auto kDuplicateWindow = std::chrono::seconds(60);
// While messages flow, the counters on B/node/stats are refreshed at most this often.
constexpr auto kStatsInterval = std::chrono::seconds(2);
// Pair states published per turn of the io thread while a burst is being reported (about ten
// messages each), so that health messages and router answers are not kept waiting.
constexpr std::size_t kPairsPublishedPerTurn = 4;
// A rejected payload of one reason is logged at most this often.
constexpr auto kRejectionLogInterval = std::chrono::seconds(10);

std::shared_ptr<spdlog::logger> namedLogger(const std::string& name) {
  auto logger = spdlog::get(name);
  return logger ? logger : spdlog::default_logger();
}

const char* onOff(bool value) {
  return value ? "ON" : "OFF";
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Node::Node(const config::Config& config, NodePorts ports, NodeIdentity identity)
    : config_(config),
      ports_(std::move(ports)),
      identity_(std::move(identity)),
      topics_(config_),
      time_base_{ports_.time.monotonicNow(), ports_.time.wallNow()},
      engine_(config_, time_base_.mono),
      log_(namedLogger("node")),
      engine_log_(namedLogger("engine")) {
  for (const auto& router : config_.routers) {
    RouterStatus status;
    status.id = router.id;
    status.enabled = router.enabled;
    status.state = router.enabled ? "connecting" : "disabled";
    status.address = router.host + ":" + std::to_string(router.port);
    router_status_[router.id] = status;
  }
}

Node::~Node() = default;

void Node::start() {
  for (const auto& filter : topics_.commandFilters()) {
    ports_.bus.subscribe(filter, ports::SubscriptionKind::Command);
  }
  for (const auto& filter : topics_.healthFilters()) {
    ports_.bus.subscribe(filter, ports::SubscriptionKind::State);
  }
  if (config_.homeassistant.enabled) {
    ports_.bus.subscribe(topics_.homeAssistantStatus(), ports::SubscriptionKind::State);
  }
  // The engine assumes the bus is up from its start; when the broker is not there yet, say so,
  // so the first connect is followed by the reconnect grace like any other (every check
  // looked stale while we could not hear it).
  if (!ports_.bus.connected()) {
    dispatch(engine::BusConnectionChanged{false});
  }
  rearmEngineTimer();
}

void Node::onBusConnected() {
  dispatch(engine::BusConnectionChanged{true});
  // A reconnect may follow a broker restart that lost every retained message.
  last_published_.clear();
  publishEverything();
}

void Node::onBusLost() {
  dispatch(engine::BusConnectionChanged{false});
}

void Node::onBusMessage(const ports::BusMessage& message) {
  in_burst_ = message.more_follow;
  handleBusMessage(message);
  if (!in_burst_) {
    schedulePairPublishing();
  }
}

void Node::handleBusMessage(const ports::BusMessage& message) {
  if (const auto now = ports_.time.monotonicNow(); now - stats_published_at_ >= kStatsInterval) {
    publishStats();
  }
  if (const HealthTopic* health = topics_.findHealth(message.topic)) {
    onHealth(*health, message);
    return;
  }
  if (const auto command = topics_.parseCommand(message.topic)) {
    onCommand(*command, message);
    return;
  }
  if (config_.homeassistant.enabled && message.topic == topics_.homeAssistantStatus()) {
    if (message.payload == "online") {
      log_->info("Home Assistant is online: sending discovery again");
      for (const auto& [topic, payload] : identity_.discovery) {
        ports_.bus.publish(topic, payload, {1, true, {}});
      }
    }
    return;
  }
  ++stats_.unknown_topics;
}

void Node::onHealth(const HealthTopic& topic, const ports::BusMessage& message) {
  ++stats_.health_messages;
  auto observed = parseHealthPayload(topic, message.payload, engine_.ruleFields(topic.check));
  if (!observed) {
    reject(observed.status().message(), message.topic);
    return;
  }
  if (message.received_at != core::MonoTime{}) {
    observed.value().received_at = message.received_at;
  }
  dispatch(std::move(observed).value());
}

void Node::reject(std::string_view reason, const std::string& topic) {
  const std::string key(reason);
  ++stats_.rejected[key];
  const auto now = ports_.time.monotonicNow();
  auto& last = rejection_logged_[key];
  if (last == core::MonoTime{} || now - last >= kRejectionLogInterval) {
    last = now;
    log_->warn("ignored payload on {}: {} ({} so far)", topic, key, stats_.rejected[key]);
    publishStats();
  }
}

void Node::onCommand(const CommandTopic& topic, const ports::BusMessage& message) {
  if (message.retained) {
    // A retained command would act again on every restart: never obey one.
    reject("retained_command", message.topic);
    return;
  }
  ++stats_.commands;
  const auto now = ports_.time.monotonicNow();
  expireAnswered(now);

  PendingReply pending;
  pending.pair = topic.pair;
  if (topic.kind == CommandTopic::Kind::Request) {
    pending.command = topic.name;
    if (!message.response_topic.empty()) {
      // MQTT forbids wildcards in a topic name; a broker may drop a client that uses one.
      const bool has_wildcard = message.response_topic.find_first_of("+#") != std::string::npos;
      for (const auto& prefix : config_.mqtt.response_topic_prefixes) {
        if (!has_wildcard && startsWith(message.response_topic, prefix)) {
          pending.response_topic = message.response_topic;
          break;
        }
      }
      if (pending.response_topic.empty()) {
        log_->warn("ignored response topic {} of {}: not an allowed topic", message.response_topic,
                   message.topic);
      }
    }
    pending.correlation_data = message.correlation_data;
  }

  const std::string command_id = std::to_string(next_command_id_++);
  auto parsed = parseCommand(topic, message.payload, command_id, "mqtt");
  if (parsed.transaction) {
    pending.dedupe_key = message.topic + "\n" + *parsed.transaction;
    if (const auto known = answered_.find(pending.dedupe_key); known != answered_.end()) {
      ++stats_.duplicate_commands;
      log_->info("duplicate command on {} (transaction {}): answered again, not repeated",
                 message.topic, *parsed.transaction);
      if (known->second.response) {
        reply(pending, *known->second.response);
      }
      return;
    }
  }
  if (parsed.error) {
    log_->warn("bad command on {}: {}", message.topic, *parsed.error);
    reply(pending, errorReplyJson(parsed.transaction, "bad_request", *parsed.error).dump());
    return;
  }
  if (!config_.findPair(topic.pair)) {
    reply(pending, errorReplyJson(parsed.transaction, "unknown_pair",
                                  "no pair '" + topic.pair + "' on this node")
                       .dump());
    return;
  }
  if (!pending.dedupe_key.empty()) {
    answered_[pending.dedupe_key] = Answered{now, std::nullopt};
    answered_order_.emplace_back(now, pending.dedupe_key);
  }
  // Every event of one payload shares the command id; the last reply answers the request.
  pending_replies_[command_id] = pending;
  for (auto& event : parsed.events) {
    if (auto* command = std::get_if<engine::SwitchCommand>(&event);
        command != nullptr && message.received_at != core::MonoTime{}) {
      command->received_at = message.received_at;
    }
    dispatch(std::move(event));
  }
}

void Node::reply(const PendingReply& pending, const std::string& payload) {
  if (!pending.dedupe_key.empty()) {
    if (auto known = answered_.find(pending.dedupe_key); known != answered_.end()) {
      known->second.response = payload;
    }
  }
  if (pending.command.empty()) {
    return;  // set topics have no response topic; the outcome shows in state and logs
  }
  ports_.bus.publish(topics_.response(pending.pair, pending.command), payload, {1, false, {}});
  ++stats_.published;
  if (!pending.response_topic.empty()) {
    ports_.bus.publish(pending.response_topic, payload, {1, false, pending.correlation_data});
    ++stats_.published;
  }
}

void Node::expireAnswered(core::MonoTime now) {
  while (!answered_order_.empty() && now - answered_order_.front().first > kDuplicateWindow) {
    answered_.erase(answered_order_.front().second);
    answered_order_.pop_front();
  }
}

void Node::onRouterObserved(engine::RouterObserved observed) {
  dispatch(std::move(observed));
}

void Node::onRouterStatus(const RouterStatus& status) {
  router_status_[status.id] = status;
  publishRetained(topics_.routerState(status.id), routerStatusJson(status).dump());
}

void Node::dispatch(engine::Event event) {
  queue_.push_back(std::move(event));
  if (draining_) {
    return;
  }
  draining_ = true;
  drainQueue();
  draining_ = false;
  rearmEngineTimer();
  if (!in_burst_) {
    schedulePairPublishing();
  }
}

void Node::drainQueue() {
  while (!queue_.empty()) {
    engine::Event next = std::move(queue_.front());
    queue_.pop_front();
    execute(engine_.handle(next, ports_.time.monotonicNow()));
  }
}

void Node::rearmEngineTimer() {
  const auto deadline = engine_.nextDeadline();
  if (!deadline) {
    ports_.engine_timer.cancel();
    engine_timer_at_.reset();
    return;
  }
  // Every heartbeat moves the staleness deadline later. A timer already armed no later than
  // the new deadline is kept: it fires early, tick() then does nothing harmful, and the
  // timer is armed again. That spares the hot path a timer re-arm per message.
  if (engine_timer_at_ && *engine_timer_at_ <= *deadline) {
    return;
  }
  engine_timer_at_ = *deadline;
  ports_.engine_timer.armAt(*deadline, [this] {
    engine_timer_at_.reset();
    draining_ = true;
    execute(engine_.tick(ports_.time.monotonicNow()));
    drainQueue();  // events the tick's actions caused, in arrival order
    draining_ = false;
    rearmEngineTimer();
    schedulePairPublishing();
  });
}

void Node::execute(std::vector<engine::Action> actions) {
  for (auto& action : actions) {
    std::visit(
        [this](auto& act) {
          using T = std::decay_t<decltype(act)>;
          if constexpr (std::is_same_v<T, engine::RouteRequest>) {
            const auto router = ports_.routers.find(act.router);
            const uint64_t request_id = act.request_id;
            if (router == ports_.routers.end() || router->second == nullptr) {
              engine_log_->info("route request {} on {}: {} output(s) for {}", request_id,
                                act.router, act.routes.size(), act.reason);
              dispatch(engine::RouteBlockReport{
                  request_id, core::BlockRefused{core::BlockRefusal::NotConnected, "no router"}});
              return;
            }
            router->second->sendRoutes(act.routes,
                                       [this, request_id](const core::BlockOutcome& outcome) {
                                         dispatch(engine::RouteBlockReport{request_id, outcome});
                                       });
            // Logged after the block left: writing the log line costs a system call.
            engine_log_->info("route request {} on {}: {} output(s) for {}", request_id, act.router,
                              act.routes.size(), act.reason);
          } else if constexpr (std::is_same_v<T, engine::PairStateChanged>) {
            if (changed_pairs_.insert(act.pair).second) {
              changed_order_.push_back(act.pair);
            }
          } else if constexpr (std::is_same_v<T, engine::SwitchEventAction>) {
            const auto& event = act.event;
            ++stats_.switch_events;
            const auto total = totalLatencyMs(event);
            engine_log_->info(
                "switch event pair={} type={} seq={} from={} to={} result={} latency_ms={} "
                "reason=\"{}\"",
                event.pair, engine::toString(event.type), event.seq, event.from.value_or("-"),
                event.to.value_or("-"), event.ok ? "ok" : "failed",
                total ? std::to_string(*total) : std::string("-"), event.reason);
            std::string payload = switchEventJson(event, time_base_).dump();
            publishEvent(topics_.pairTopic(event.pair, "event"), payload);
            last_event_[event.pair] = payload;
            publishRetained(topics_.pairTopic(event.pair, "last_event"), std::move(payload));
            if (total) {
              publishRetained(topics_.pairTopic(event.pair, "last_latency_ms"),
                              Json(*total).dump());
            }
          } else if constexpr (std::is_same_v<T, engine::AuditEvent>) {
            engine_log_->info("setting {} of {}{} changed from {} to {} by {}", act.setting,
                              act.pair, act.router, act.from, act.to,
                              act.requested_by.value_or("config"));
            const std::string topic = act.pair.empty()
                                          ? topics_.base() + "/router/" + act.router + "/audit"
                                          : topics_.pairTopic(act.pair, "audit");
            publishEvent(topic, auditEventJson(act, ports_.time.wallNow()).dump());
            if (act.setting == "router_enabled") {
              const auto router = ports_.routers.find(act.router);
              if (router != ports_.routers.end() && router->second != nullptr) {
                router->second->setEnabled(act.to == "ON" || act.to == "true");
              }
            }
          } else if constexpr (std::is_same_v<T, engine::CommandReply>) {
            const auto pending = pending_replies_.find(act.command_id);
            if (!act.ok) {
              log_->warn("command {} on pair {} refused: {} {}", act.command_id, act.pair,
                         act.error ? engine::toString(*act.error) : "error", act.message);
            }
            if (pending != pending_replies_.end()) {
              reply(pending->second, commandReplyJson(act, time_base_).dump());
              pending_replies_.erase(pending);
            }
          } else if constexpr (std::is_same_v<T, engine::Warning>) {
            engine_log_->warn("{}{}{}: {}", act.pair, act.pair.empty() ? "" : " ", act.code,
                              act.message);
          } else if constexpr (std::is_same_v<T, engine::SaveRunState>) {
            if (!config_.state_file.empty()) {
              const auto status = config::saveRunState(config_.state_file, act.state);
              if (!status.isOk()) {
                log_->error("cannot save run-time settings to {}: {}", config_.state_file,
                            status.message());
              }
            }
          }
        },
        action);
  }
}

void Node::publishRetained(const std::string& topic, std::string payload) {
  const auto [last, first] = last_published_.try_emplace(topic, payload);
  if (!first) {
    if (last->second == payload) {
      return;  // unchanged state is not published again
    }
    last->second = payload;
  }
  ports_.bus.publish(topic, std::move(payload), {1, true, {}});
  ++stats_.published;
}

void Node::publishEvent(const std::string& topic, std::string payload) {
  ports_.bus.publish(topic, std::move(payload), {1, false, {}});
  ++stats_.published;
}

void Node::schedulePairPublishing() {
  if (changed_order_.empty()) {
    return;
  }
  if (ports_.publish_timer == nullptr) {
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
  ports_.publish_timer->armAt(ports_.time.monotonicNow(), [this] {
    publish_armed_ = false;
    publishChangedPairs(kPairsPublishedPerTurn);
    schedulePairPublishing();
  });
}

void Node::publishChangedPairs(std::size_t at_most) {
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

void Node::publishPair(const std::string& pair) {
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

void Node::publishNodeInfo() {
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

void Node::publishStats() {
  stats_published_at_ = ports_.time.monotonicNow();
  Json rejected = Json::object();
  for (const auto& [reason, count] : stats_.rejected) {
    rejected[reason] = count;
  }
  const ports::BusCounters bus = ports_.bus.counters();
  publishRetained(topics_.nodeStats(), Json{{"health_messages", stats_.health_messages},
                                            {"commands", stats_.commands},
                                            {"duplicate_commands", stats_.duplicate_commands},
                                            {"unknown_topics", stats_.unknown_topics},
                                            {"switch_events", stats_.switch_events},
                                            {"rejected", std::move(rejected)},
                                            {"mqtt",
                                             {{"connects", bus.connects},
                                              {"published", bus.published},
                                              {"refused", bus.refused},
                                              {"dropped", bus.dropped},
                                              {"waiting", bus.waiting}}}}
                                           .dump());
}

void Node::publishEverything() {
  publishNodeInfo();
  publishStats();
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
    for (const auto& [topic, payload] : identity_.discovery) {
      ports_.bus.publish(topic, payload, {1, true, {}});
    }
  }
}

}  // namespace failover::daemon
