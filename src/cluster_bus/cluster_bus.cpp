#include "failover/cluster_bus/cluster_bus.h"

#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "failover/daemon/json_views.h"
#include "failover/daemon/response_topic.h"

namespace failover::cluster_bus {

namespace {

// The application's "cluster" logger, or spdlog's default one (unit tests).
std::shared_ptr<spdlog::logger> clusterLogger() {
  auto logger = spdlog::get("cluster");
  return logger ? logger : spdlog::default_logger();
}

const char* problemName(cluster::ProblemKind kind) {
  switch (kind) {
    case cluster::ProblemKind::DuplicateNodeId:
      return "duplicate_node_id";
    case cluster::ProblemKind::DuplicateRank:
      return "duplicate_rank";
    case cluster::ProblemKind::LeaseLost:
      return "lease_lost";
    case cluster::ProblemKind::CompetingClaim:
      return "competing_claim";
    case cluster::ProblemKind::RoutersLost:
      return "routers_lost";
  }
  return "unknown";
}

}  // namespace

ClusterBus::ClusterBus(ClusterBusSettings settings, ports::MessageBus& bus, ports::Timer& timer,
                       const core::TimeSource& time, ClusterBusCallbacks callbacks)
    : settings_(std::move(settings)),
      topics_(settings_.cluster_base),
      bus_(bus),
      timer_(timer),
      time_(time),
      callbacks_(std::move(callbacks)),
      election_(settings_.election, settings_.instance) {}

void ClusterBus::start() {
  // Heartbeats as state: this node's own must come back (it is its lease).
  bus_.subscribe(topics_.heartbeatFilter(), ports::SubscriptionKind::State);
  // The Last Wills: the fast sign that a node's connection has ended (kill -9).
  bus_.subscribe(topics_.stateFilter(), ports::SubscriptionKind::State);
  bus_.subscribe(topics_.handoverRequest(), ports::SubscriptionKind::Command);
  execute(election_.start(time_.monotonicNow()));
}

void ClusterBus::onBusConnected() {
  publishRetained(topics_.state(settings_.election.node_id), std::string(kStateOnline));
  execute(election_.busConnected(time_.monotonicNow()));
  // The broker may have restarted and lost its retained messages: the role is said again
  // even when it did not change.
  publishRetained(topics_.role(settings_.election.node_id), encodeRole(election_.role()));
}

void ClusterBus::onBusLost() {
  execute(election_.busLost(time_.monotonicNow()));
}

bool ClusterBus::onBusMessage(const ports::BusMessage& message) {
  if (const auto sender = topics_.heartbeatSender(message.topic)) {
    onHeartbeat(*sender, message);
    return true;
  }
  if (const auto node = topics_.stateSender(message.topic)) {
    onNodeState(*node, message);
    return false;  // the nodes' states are read elsewhere too (the discovery's roster)
  }
  if (message.topic == topics_.handoverRequest()) {
    onHandoverRequest(message);
    return true;
  }
  return false;
}

void ClusterBus::routersHealthy(bool ok) {
  execute(election_.routersHealthy(time_.monotonicNow(), ok));
}

bool ClusterBus::fenceOpen() const {
  return election_.fenceOpen(time_.monotonicNow());
}

void ClusterBus::onHeartbeat(const std::string& sender, const ports::BusMessage& message) {
  if (message.retained) {
    // A heartbeat is evidence of life only when it is live: a retained one may be old.
    ++stats_.bad_heartbeats;
    clusterLogger()->warn("ignored a retained heartbeat on {}", message.topic);
    return;
  }
  auto heartbeat = decodeHeartbeat(message.payload);
  if (!heartbeat) {
    ++stats_.bad_heartbeats;
    clusterLogger()->warn("ignored a heartbeat on {}: {}", message.topic,
                          heartbeat.status().message());
    return;
  }
  if (heartbeat->node_id != sender) {
    ++stats_.bad_heartbeats;
    clusterLogger()->warn("ignored a heartbeat on {}: it names node '{}'", message.topic,
                          heartbeat->node_id);
    return;
  }
  ++stats_.heartbeats_received;
  execute(election_.heartbeatReceived(time_.monotonicNow(), *heartbeat));
}

void ClusterBus::onNodeState(const std::string& node_id, const ports::BusMessage& message) {
  // A retained "offline" is history (delivered on subscribing); only a will published now
  // says a connection has just ended. "online" needs no action: heartbeats show life.
  if (message.retained || message.payload != kStateOffline) {
    return;
  }
  ++stats_.wills_received;
  clusterLogger()->info("node '{}' went offline (its Last Will)", node_id);
  execute(election_.nodeOffline(time_.monotonicNow(), node_id));
}

void ClusterBus::onHandoverRequest(const ports::BusMessage& message) {
  ++stats_.handover_requests;
  auto request = decodeHandoverRequest(message.payload);
  if (!request) {
    ++stats_.bad_handover_requests;
    clusterLogger()->warn("ignored a handover request: {}", request.status().message());
    // Only the node in charge answers, as it does a readable request.
    if (election_.role() == cluster::Role::Active) {
      takeResponseTopic(message);
      answer(encodeBadHandoverRequest(request.status().message(), std::nullopt));
      answering_response_topic_.clear();
    }
    return;
  }
  clusterLogger()->info("handover to '{}' requested{}", request->to,
                        request->requested_by.empty() ? "" : " by " + request->requested_by);
  answering_transaction_ = request->transaction;
  takeResponseTopic(message);
  execute(election_.handoverRequested(time_.monotonicNow(), request->to));
  answering_transaction_.reset();
  answering_response_topic_.clear();
}

void ClusterBus::takeResponseTopic(const ports::BusMessage& message) {
  answering_response_topic_.clear();
  answering_correlation_ = message.correlation_data;
  if (message.response_topic.empty()) {
    return;
  }
  if (daemon::responseTopicAllowed(message.response_topic, settings_.response_topic_prefixes)) {
    answering_response_topic_ = message.response_topic;
  } else {
    clusterLogger()->warn("ignored response topic {} of a handover request: not an allowed topic",
                          message.response_topic);
  }
}

void ClusterBus::answer(const std::string& payload) {
  bus_.publish(topics_.handoverResponse(), payload, {});
  if (!answering_response_topic_.empty()) {
    bus_.publish(answering_response_topic_, payload, {1, false, answering_correlation_});
  }
}

void ClusterBus::execute(cluster::Step step) {
  // A closed fence is applied before anything else is published.
  for (const auto& action : step.actions) {
    if (const auto* fence = std::get_if<cluster::SetFence>(&action); fence && !fence->open) {
      carryOut(action);
    }
  }
  for (const auto& action : step.actions) {
    if (const auto* fence = std::get_if<cluster::SetFence>(&action); fence && !fence->open) {
      continue;
    }
    carryOut(action);
  }
  arm(step.next_deadline);
}

void ClusterBus::carryOut(const cluster::Action& action) {
  const auto& node_id = settings_.election.node_id;
  if (const auto* heartbeat = std::get_if<cluster::PublishHeartbeat>(&action)) {
    bus_.publish(topics_.heartbeat(node_id), encodeHeartbeat(heartbeat->heartbeat), {});
  } else if (const auto* role = std::get_if<cluster::PublishRole>(&action)) {
    clusterLogger()->info("role {}", cluster::toString(role->role));
    publishRetained(topics_.role(node_id), encodeRole(role->role));
  } else if (const auto* active = std::get_if<cluster::PublishActive>(&action)) {
    publishRetained(topics_.active(), active->node_id);
  } else if (const auto* fence = std::get_if<cluster::SetFence>(&action)) {
    clusterLogger()->info("fence {}: {}", fence->open ? "open" : "closed", fence->reason);
    if (callbacks_.on_fence) {
      callbacks_.on_fence(fence->open, fence->reason);
    }
  } else if (const auto* event = std::get_if<cluster::TakeoverEvent>(&action)) {
    clusterLogger()->warn("took control from '{}' ({}), term {}, {} ms", event->from, event->reason,
                          event->term, event->takeover_ms);
    bus_.publish(topics_.event(), encodeTakeoverEvent(*event, daemon::rfc3339(time_.wallNow())),
                 {});
    if (callbacks_.on_takeover) {
      callbacks_.on_takeover(*event);
    }
  } else if (const auto* problem = std::get_if<cluster::Problem>(&action)) {
    clusterLogger()->error("cluster {}: {}", problemName(problem->kind), problem->message);
    if (callbacks_.on_problem) {
      callbacks_.on_problem(*problem);
    }
  } else if (const auto* answer = std::get_if<cluster::HandoverAnswer>(&action)) {
    this->answer(encodeHandoverResponse(*answer, answering_transaction_));
  }
}

void ClusterBus::arm(const std::optional<core::MonoTime>& deadline) {
  if (!deadline) {
    timer_.cancel();
    return;
  }
  timer_.armAt(*deadline, [this] { execute(election_.tick(time_.monotonicNow())); });
}

void ClusterBus::publishRetained(const std::string& topic, std::string payload) {
  ports::PublishOptions options;
  options.retain = true;
  bus_.publish(topic, std::move(payload), options);
}

}  // namespace failover::cluster_bus
