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

// Lines of the router's debug log about the node's connection (from 127.0.0.1; the soak's
// read-only client connects from 127.0.0.2).
struct RouterLogLine {
  enum class Kind { NodeConnected, NodeDisconnected, NodeRoutingRequest };
  double at_ms = 0;
  Kind kind = Kind::NodeConnected;
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
  std::vector<double> node_spawns;  // each start of failover-node
  std::vector<double> node_kills;   // each SIGKILL
};

}  // namespace failover::soak
