#include "failover/daemon/node.h"

#include <spdlog/spdlog.h>

#include "failover/daemon/health_payload.h"
#include "named_logger.h"

namespace failover::daemon {
namespace {

// A rejected payload of one reason is logged at most this often.
constexpr auto kRejectionLogInterval = std::chrono::seconds(10);

}  // namespace

Node::Node(const config::Config& config, NodePorts ports, NodeIdentity identity)
    : config_(config),
      ports_(std::move(ports)),
      topics_(config_),
      time_base_{ports_.time.monotonicNow(), ports_.time.wallNow()},
      engine_(config_, time_base_.mono),
      publisher_(config_, topics_, time_base_, std::move(identity), engine_, ports_.bus,
                 ports_.time, ports_.publish_timer, stats_),
      commands_(
          config_, topics_, time_base_, ports_.bus, ports_.time, stats_,
          [this](engine::Event event) { dispatch(std::move(event)); },
          [this](const NodeRequest& request) {
            return reload(request.requested_by, request.transaction);
          }),
      log_(namedLogger("node")),
      engine_log_(namedLogger("engine")),
      in_charge_(!config_.cluster) {
  stats_.audit_trail = ports_.audit_trail;
  publisher_.setInCharge(in_charge_);
}

Node::~Node() = default;

void Node::start() {
  for (const auto& filter : topics_.commandFilters()) {
    ports_.bus.subscribe(filter, ports::SubscriptionKind::Command);
  }
  for (const auto& filter : topics_.healthFilters()) {
    ports_.bus.subscribe(filter, ports::SubscriptionKind::State);
  }
  for (const auto& filter : topics_.mirrorFilters()) {
    ports_.bus.subscribe(filter, ports::SubscriptionKind::State);
  }
  if (config_.homeassistant.enabled) {
    ports_.bus.subscribe(topics_.homeAssistantStatus(), ports::SubscriptionKind::State);
  }
  if (!in_charge_) {
    dispatch(engine::ControlChanged{false});
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
  publisher_.publishEverything();
}

void Node::onBusLost() {
  dispatch(engine::BusConnectionChanged{false});
}

void Node::onBusMessage(const ports::BusMessage& message) {
  in_burst_ = message.more_follow;
  handleBusMessage(message);
  if (!in_burst_) {
    publisher_.schedulePairPublishing();
  }
}

void Node::handleBusMessage(const ports::BusMessage& message) {
  publisher_.refreshStats();
  if (const HealthTopic* health = topics_.findHealth(message.topic)) {
    onHealth(*health, message);
    return;
  }
  if (const auto mirrored = topics_.parseMirror(message.topic)) {
    if (!in_charge_) {
      followActive(*mirrored, message);
    }
    return;
  }
  if (const auto command = topics_.parseCommand(message.topic)) {
    if (!in_charge_ && !command->node) {
      // Acted on and answered by the node in charge only (SPEC 8.1).
      ++stats_.commands_left_to_active;
      return;
    }
    if (message.retained) {
      // A retained command would act again on every restart: never obey one.
      reject("retained_command", message.topic);
      return;
    }
    commands_.onCommand(*command, message);
    return;
  }
  if (config_.homeassistant.enabled && message.topic == topics_.homeAssistantStatus()) {
    if (message.payload == "online") {
      log_->info("Home Assistant is online: sending discovery again");
      publisher_.publishDiscovery();
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
  // A failure is dated from when the bus read the message (the event's `detected`).
  if (message.received_at != core::MonoTime{}) {
    observed.value().received_at = message.received_at;
  }
  dispatch(std::move(observed).value());
}

void Node::followActive(const Topics::MirrorTopic& topic, const ports::BusMessage& message) {
  if (message.payload.empty()) {
    return;  // a cleared retained topic: nothing to follow
  }
  engine::CommandMeta meta;
  meta.requested_by = "node in charge";
  const config::RunState running = engine_.runState();
  if (!topic.router.empty()) {
    const auto state = nlohmann::json::parse(message.payload, nullptr, false);
    const auto known = running.routers.find(topic.router);
    if (known == running.routers.end() || !state.is_object() || !state.contains("enabled") ||
        !state["enabled"].is_boolean()) {
      return;
    }
    const bool enabled = state["enabled"].get<bool>();
    if (enabled != known->second.enabled) {
      dispatch(engine::SetRouterEnabled{topic.router, enabled, std::move(meta)});
    }
    return;
  }
  const auto known = running.pairs.find(topic.pair);
  if (known == running.pairs.end()) {
    return;
  }
  if (topic.leaf == "mode") {
    const auto mode = core::valueOf(config::kFailoverModeNames, message.payload);
    if (mode && *mode != known->second.mode) {
      dispatch(engine::SetMode{topic.pair, *mode, std::move(meta)});
    }
  } else if (message.payload == "ON" || message.payload == "OFF") {
    const bool armed = message.payload == "ON";
    if (armed != known->second.armed) {
      dispatch(engine::SetArmed{topic.pair, armed, std::move(meta)});
    }
  }
}

void Node::replaceDiscovery(std::vector<std::pair<std::string, std::string>> discovery) {
  publisher_.replaceDiscovery(std::move(discovery));
}

void Node::setInCharge(bool in_charge, const std::string& reason) {
  if (in_charge == in_charge_) {
    return;
  }
  in_charge_ = in_charge;
  if (in_charge) {
    log_->warn("in charge now ({}): routing, answering commands and publishing the pairs", reason);
  } else {
    log_->warn("no longer in charge ({}): standing by, routing nothing", reason);
  }
  if (in_charge) {
    takeOutputLocks();
  }
  // Coming into charge the publisher first says what this node knows; the engine then
  // decides every pair afresh, and what it does follows.
  publisher_.setInCharge(in_charge);
  dispatch(engine::ControlChanged{in_charge});
}

void Node::takeOutputLocks() {
  // routers.<id>.lock_outputs: the node in charge holds the Videohub locks of its pairs'
  // outputs, so that a node that lost charge, or a panel, cannot route them. The lock block
  // is queued before any routing block of this node's charge (one block in flight).
  for (const auto& router : config_.routers) {
    const auto port = ports_.routers.find(router.id);
    if (!router.lock_outputs || port == ports_.routers.end() || port->second == nullptr) {
      continue;
    }
    std::vector<int> outputs;
    for (const auto& pair : config_.pairs) {
      if (pair.router == router.id) {
        outputs.insert(outputs.end(), pair.outputs.begin(), pair.outputs.end());
      }
    }
    if (outputs.empty()) {
      continue;
    }
    log_->info("taking the locks of {} output(s) of router {}", outputs.size(), router.id);
    port->second->lockOutputs(outputs, [log = log_,
                                        id = router.id](const core::BlockOutcome& outcome) {
      if (const auto* refused = std::get_if<core::BlockRefused>(&outcome)) {
        log->warn("router {} refused the output locks: {} {}", id, core::toString(refused->reason),
                  refused->detail);
      } else if (std::holds_alternative<core::BlockConnectionLost>(outcome)) {
        log->warn("router {}: the connection was lost before the output locks were confirmed", id);
      }
    });
  }
}

void Node::reject(std::string_view reason, const std::string& topic) {
  const std::string key(reason);
  ++stats_.rejected[key];
  const auto now = ports_.time.monotonicNow();
  auto& last = rejection_logged_[key];
  if (last == core::MonoTime{} || now - last >= kRejectionLogInterval) {
    last = now;
    log_->warn("ignored payload on {}: {} ({} so far)", topic, key, stats_.rejected[key]);
    publisher_.publishStats();
  }
}

void Node::onRouterObserved(engine::RouterObserved observed) {
  dispatch(std::move(observed));
}

void Node::onRouterStatus(const RouterStatus& status) {
  publisher_.publishRouterStatus(status);
}

void Node::audit(const AuditRecord& record) {
  if (ports_.audit_trail != nullptr) {
    ports_.audit_trail->append(auditLine(record, config_.node_id, ports_.time.wallNow()));
  }
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
    publisher_.schedulePairPublishing();
  }
}

void Node::drainQueue() {
  while (!queue_.empty()) {
    engine::Event next = std::move(queue_.front());
    queue_.pop_front();
    handling_switch_ = std::get_if<engine::SwitchCommand>(&next);
    execute(engine_.handle(next, ports_.time.monotonicNow()));
    handling_switch_ = nullptr;
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
    publisher_.schedulePairPublishing();
  });
}

void Node::execute(std::vector<engine::Action> actions) {
  for (const auto& action : actions) {
    std::visit([this](const auto& act) { perform(act); }, action);
  }
}

void Node::perform(const engine::RouteRequest& request) {
  const auto router = ports_.routers.find(request.router);
  const uint64_t request_id = request.request_id;
  if (ports_.may_route && !ports_.may_route()) {
    // The fence is a function of time: a lease may run out before the cluster has said so.
    ++stats_.fenced_blocks;
    engine_log_->warn(
        "route request {} on {} not sent: this node may not route (its lease ran "
        "out) for {}",
        request_id, request.router, request.reason);
    dispatch(engine::RouteBlockReport{
        request_id,
        core::BlockRefused{core::BlockRefusal::NotConnected, "this node is not in charge"}});
    return;
  }
  if (router == ports_.routers.end() || router->second == nullptr) {
    engine_log_->info("route request {} on {}: {} output(s) for {}", request_id, request.router,
                      request.routes.size(), request.reason);
    dispatch(engine::RouteBlockReport{
        request_id, core::BlockRefused{core::BlockRefusal::NotConnected, "no router"}});
    return;
  }
  router->second->sendRoutes(request.routes, [this, request_id](const core::BlockOutcome& outcome) {
    dispatch(engine::RouteBlockReport{request_id, outcome});
  });
  // Logged after the block left: writing the log line costs a system call.
  engine_log_->info("route request {} on {}: {} output(s) for {}", request_id, request.router,
                    request.routes.size(), request.reason);
}

void Node::perform(const engine::PairStateChanged& changed) {
  publisher_.pairChanged(changed.pair);
}

void Node::perform(const engine::SwitchEventAction& action) {
  const auto& event = action.event;
  if (!in_charge_) {
    // The shadow's view of a change on air; the node in charge reports it.
    engine_log_->debug("standby saw pair={} type={} from={} to={}", event.pair,
                       engine::toString(event.type), event.from.value_or("-"),
                       event.to.value_or("-"));
    return;
  }
  ++stats_.switch_events;
  const auto total = totalLatencyMs(event);
  engine_log_->info(
      "switch event pair={} type={} seq={} from={} to={} result={} latency_ms={} "
      "reason=\"{}\"",
      event.pair, engine::toString(event.type), event.seq, event.from.value_or("-"),
      event.to.value_or("-"), event.ok ? "ok" : "failed",
      total ? std::to_string(*total) : std::string("-"), event.reason);
  publisher_.publishSwitchEvent(event);
  audit(switchAuditRecord(event, time_base_));
}

void Node::perform(const engine::AuditEvent& audit) {
  engine_log_->info("setting {} of {}{} changed from {} to {} by {}", audit.setting, audit.pair,
                    audit.router, audit.from, audit.to, audit.requested_by.value_or("config"));
  publisher_.publishAudit(audit);
  this->audit(settingAuditRecord(audit));
}

void Node::perform(const engine::CommandReply& reply) {
  // A switch the engine refused at once never becomes a switch event; the trail keeps it too.
  if (handling_switch_ != nullptr && !reply.ok && !reply.event) {
    audit(refusedSwitchAuditRecord(*handling_switch_, reply));
  }
  commands_.onReply(reply);
}

void Node::perform(const engine::Warning& warning) {
  engine_log_->warn("{}{}{}: {}", warning.pair, warning.pair.empty() ? "" : " ", warning.code,
                    warning.message);
}

void Node::perform(const engine::SetRouterConnection& connection) {
  const auto router = ports_.routers.find(connection.router);
  if (router != ports_.routers.end() && router->second != nullptr) {
    router->second->setEnabled(connection.enabled);
  }
}

void Node::perform(const engine::SaveRunState& save) {
  if (ports_.run_state != nullptr) {
    ports_.run_state->save(save.state);
  }
}

}  // namespace failover::daemon
