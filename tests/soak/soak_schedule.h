#pragma once

// The fault soak's plan: which faults are injected when, drawn from one seed before the run
// starts, so the same seed always gives the same schedule (the processes' timing still varies
// from run to run). Also the model of what a render-sim command does to a machine's health,
// shared by the planner and by the ground truth the invariants are judged on.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace failover::soak {

// The facility the soak drives: five machines in three pairs, one Backup shared by two Mains.
struct Machine {
  std::string id;
  int input = 0;  // 1-based router input
};

struct Pair {
  std::string id;
  std::string main;
  std::string backup;
  std::vector<int> outputs;  // 1-based router outputs
  bool failback_auto = false;
};

struct Facility {
  std::vector<Machine> machines;
  std::vector<Pair> pairs;
  int stale_after_ms = 300;
  int startup_grace_ms = 1000;
  int reconnect_grace_ms = 1000;
  int min_dwell_ms = 1500;
  int failback_after_ms = 2500;
  int router_size = 8;
  // Cluster mode (SPEC 8.1): the nodes of cluster `studio`, each routing from its own address.
  // A single node is fo1 on 127.0.0.1.
  bool cluster = false;
  std::vector<std::string> nodes{"fo1"};

  // Where the pairs' topics are: failover/fo1/pair/<p>/... or failover/studio/pair/<p>/...
  std::string pairTopic(const std::string& pair, const std::string& leaf) const;
  std::string nodeStateTopic(const std::string& node) const;
  // The address a node's router connection leaves from, and the node of an address ("" for
  // none).
  std::string routerAddress(const std::string& node) const;
  std::string nodeOfAddress(const std::string& address) const;
  // The address of the soak's own read-only router client, apart from every node's.
  std::string mirrorAddress() const { return cluster ? "127.0.0.4" : "127.0.0.2"; }

  const Machine& machine(const std::string& id) const;
  const Pair& pair(const std::string& id) const;
  // The machine whose input is `input`, or "" for none.
  std::string machineOnInput(int input) const;
};

Facility defaultFacility();
// The same facility run by two nodes fo1 (rank 1) and fo2 (rank 2) of cluster `studio`, with
// stale_after_ms above the election's lease (docs/redundancy.md).
Facility clusterFacility();

// What render-sim is told a machine does, check by check. `unhealthy()` is the truth the
// invariants use: a failed or hung engine, videoio or network check, or a dropped link.
// Warnings and critical diagnostics are faults too, but harmless ones: the pairs do not
// trigger on them.
struct MachineHealth {
  enum class State { Ok, Warn, Fail, Hang };
  std::map<std::string, State> checks{
      {"engine", State::Ok}, {"videoio", State::Ok}, {"network", State::Ok}};
  bool dropped = false;
  bool critical = false;

  bool unhealthy() const;
  bool anyFault() const;
  // Applies a render-sim command ("fail engine m", "recover m", ...) for this machine.
  void apply(const std::string& verb, const std::string& check);
};

// Splits "fail engine m" into verb, check ("" when none) and machine.
struct RenderCommand {
  std::string verb;
  std::string check;
  std::string machine;
};
RenderCommand parseRenderCommand(const std::string& text);

enum class ActionKind {
  Render,       // a render-sim command (`command`)
  Operator,     // route `pair` to `machine` through the router's control channel
  RouterStop,   // the router goes away (its routing is kept for the restart)
  RouterStart,  // and comes back on the same port with that routing
  BrokerStop,
  BrokerStart,
  NodeKill,  // SIGKILL of `node`
  NodeStart,
  NodeFreeze,  // SIGSTOP of `node`
  NodeThaw,    // SIGCONT
  Handover,    // a handover request to the node not in charge (cluster mode)
};

struct Action {
  int64_t at_ms = 0;  // since the soak's start
  ActionKind kind = ActionKind::Render;
  std::string command;  // Render
  std::string pair;     // Operator
  std::string machine;  // Operator
  std::string node;     // NodeKill, NodeStart, NodeFreeze, NodeThaw
  std::string fault;    // the fault kind it belongs to, for the summary ("hang", "flap", ...)
};

// About one fault a second for `duration_ms`, in time order. Outages end before the
// duration does, so the facility is whole again at the end. In cluster mode the nodes' faults
// (kill, freeze, handover) come more often, one at a time.
std::vector<Action> makeSchedule(const Facility& facility, uint64_t seed, int64_t duration_ms);

const char* toString(ActionKind kind);

}  // namespace failover::soak
