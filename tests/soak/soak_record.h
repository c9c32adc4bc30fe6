#pragma once

// What the fault soak saw during a run, on one time axis (milliseconds since the soak's
// start, steady clock): the faults it caused (its ground truth), the router's routing as a
// read-only client received it, what the router logged about the node's connection and
// requests, and what the node published. The invariants are judged on this record after the
// run, so the judging itself involves no timing.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace failover::soak {

// The model's verdict on one machine after a render-sim command: `sent_ms` when the command
// left, `done_ms` when render-sim answered it (the fault is certainly in effect by then).
struct HealthChange {
  std::string machine;
  double sent_ms = 0;
  double done_ms = 0;
  bool unhealthy = false;
};

// One routing block the read-only client received: only the outputs whose input changed
// (1-based output → input). `prelude` marks the full dump after a (re)connect.
struct RouterUpdate {
  double at_ms = 0;
  std::map<int, int> changes;
  bool prelude = false;
};

// A front-panel route the soak made through the router's control channel.
struct OperatorRoute {
  double sent_ms = 0;
  double done_ms = 0;
  int output = 0;
  int input = 0;
};

// Lines of the router's debug log about a node's connection, told apart by the address the
// node connects from (a single node: 127.0.0.1; a cluster's: 127.0.0.2, 127.0.0.3). The soak's
// read-only client connects from an address of its own.
struct RouterLogLine {
  enum class Kind { NodeConnected, NodeDisconnected, NodeRoutingRequest };
  double at_ms = 0;
  Kind kind = Kind::NodeConnected;
  std::string node;
};

// A moment in the life of one node: a start, a SIGKILL.
struct NodeMark {
  double at_ms = 0;
  std::string node;
};

// A node frozen with SIGSTOP (`stop_ms`) and let go with SIGCONT (`cont_ms`).
struct NodeFreeze {
  std::string node;
  double stop_ms = 0;
  double cont_ms = 0;
};

// A handover request the soak sent to C/cluster/request/handover.
struct HandoverRequest {
  double at_ms = 0;
  std::string to;
};

// One message the node published, as the soak's subscriber received it.
struct BusMessage {
  double at_ms = 0;
  bool retained = false;
  std::string topic;
  std::string payload;
};

// A stretch when one process was away. `up_ms` is when it was started again (the start
// call, so the earliest moment it could have served anyone).
struct Outage {
  // Broker: SIGTERM sent (`stopping_ms`) and the process gone (`down_ms`). A stopping
  // Mosquitto publishes the wills of its clients before it closes their connections, so the
  // node still hears "offline" from every machine in between.
  double stopping_ms = 0;
  double down_ms = 0;
  double up_ms = 0;
  // Broker only: when every connected render machine was back on the broker.
  double links_up_ms = 0;
};

struct Record {
  double schedule_start_ms = 0;
  double end_ms = 0;
  // Wall-clock milliseconds since the Unix epoch at time 0 (to place the node's timestamps).
  double wall_at_zero_ms = 0;
  std::map<int, int> initial_routing;
  std::vector<HealthChange> health;
  std::vector<RouterUpdate> router_updates;
  std::vector<OperatorRoute> operator_routes;
  std::vector<RouterLogLine> router_log;
  std::vector<BusMessage> bus;
  std::vector<Outage> router_outages;
  std::vector<Outage> broker_outages;
  std::vector<NodeMark> node_spawns;  // each start of a failover-node
  std::vector<NodeMark> node_kills;   // each SIGKILL
  std::vector<NodeFreeze> node_freezes;
  std::vector<HandoverRequest> handovers;
};

}  // namespace failover::soak
