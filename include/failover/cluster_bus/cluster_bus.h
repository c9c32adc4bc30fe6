#pragma once

// ClusterBus: runs the cluster election (cluster::ClusterElection) over MQTT. It subscribes to
// the cluster's heartbeats and handover requests, feeds what it reads and the state of the
// broker connection into the election, carries out the election's actions (heartbeats, role,
// C/cluster/active, takeover events, handover answers) and keeps one timer armed at the
// election's next deadline. Whether this node may route is reported through `on_fence` and
// can be asked with fenceOpen() before every routing block.
//
// Lives on the io thread like the node: every method is called there, nothing blocks.
// Not re-entrant: the callbacks must not call back into it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "failover/cluster/election.h"
#include "failover/cluster_bus/cluster_messages.h"
#include "failover/core/time.h"
#include "failover/ports/message_bus.h"
#include "failover/ports/timer.h"

namespace failover::cluster_bus {

struct ClusterBusSettings {
  std::string cluster_base;  // C = <base_topic>/<cluster.id>
  cluster::ElectionSettings election;
  uint64_t instance = 0;  // random per process start (see ClusterElection)
  // mqtt.response_topic_prefixes: a handover request's MQTT 5 Response Topic under one of
  // these gets the answer too, like a pair request's.
  std::vector<std::string> response_topic_prefixes;
};

struct ClusterBusCallbacks {
  // The fence opened (this node may route) or closed (it must not, from now on).
  std::function<void(bool open, const std::string& reason)> on_fence;
  // Something an operator must hear about; it is logged either way.
  std::function<void(const cluster::Problem& problem)> on_problem;
  // This node has just taken control (after its fence opened); C/cluster/event is published
  // either way.
  std::function<void(const cluster::TakeoverEvent& event)> on_takeover;
};

// What the adapter has read and dropped.
struct ClusterBusStats {
  uint64_t heartbeats_received = 0;
  uint64_t bad_heartbeats = 0;  // not understood, or sent under another node's topic
  uint64_t wills_received = 0;  // live "offline" on C/nodes/<id>/state
  uint64_t handover_requests = 0;
  uint64_t bad_handover_requests = 0;
};

class ClusterBus {
 public:
  ClusterBus(ClusterBusSettings settings, ports::MessageBus& bus, ports::Timer& timer,
             const core::TimeSource& time, ClusterBusCallbacks callbacks);
  ClusterBus(const ClusterBus&) = delete;
  ClusterBus& operator=(const ClusterBus&) = delete;

  // Subscribes and starts the election. Call once, before the bus connects.
  void start();

  // From the bus adapter.
  void onBusConnected();
  void onBusLost();
  // Returns whether the message was one of the cluster's (and so handled here). The nodes'
  // states (C/nodes/<id>/state) are read here and left to others as well: false.
  bool onBusMessage(const ports::BusMessage& message);

  // Whether every enabled router of this node is connected.
  void routersHealthy(bool ok);

  // May this node route now? Asked before every routing block: false the instant a lease
  // runs out, even before the timer has fired.
  bool fenceOpen() const;

  const cluster::ClusterElection& election() const { return election_; }
  const ClusterTopics& topics() const { return topics_; }
  const ClusterBusStats& stats() const { return stats_; }

 private:
  void onHeartbeat(const std::string& sender, const ports::BusMessage& message);
  void onNodeState(const std::string& node_id, const ports::BusMessage& message);
  void onHandoverRequest(const ports::BusMessage& message);
  void execute(cluster::Step step);
  void carryOut(const cluster::Action& action);
  void arm(const std::optional<core::MonoTime>& deadline);
  void publishRetained(const std::string& topic, std::string payload);

  ClusterBusSettings settings_;
  ClusterTopics topics_;
  ports::MessageBus& bus_;
  ports::Timer& timer_;
  const core::TimeSource& time_;
  ClusterBusCallbacks callbacks_;
  cluster::ClusterElection election_;
  ClusterBusStats stats_;
  // The handover request being answered, while its step is carried out: its transaction,
  // and its MQTT 5 Response Topic (when allowed) with the correlation data.
  std::optional<std::string> answering_transaction_;
  std::string answering_response_topic_;
  std::string answering_correlation_;
  void takeResponseTopic(const ports::BusMessage& message);
  // Publishes a handover answer on C/cluster/response/handover, and on the request's Response
  // Topic when it named an allowed one.
  void answer(const std::string& payload);
};

}  // namespace failover::cluster_bus
