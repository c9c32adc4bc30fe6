#include "soak_schedule.h"

#include <algorithm>
#include <array>
#include <random>
#include <sstream>
#include <stdexcept>

namespace failover::soak {
namespace {

// std::mt19937_64's sequence is fixed by the standard; the distributions of <random> are
// not, so the draws below map its output by hand and a seed means the same everywhere.
class Draw {
 public:
  explicit Draw(uint64_t seed) : engine_(seed) {}
  int64_t below(int64_t n) { return static_cast<int64_t>(engine_() % static_cast<uint64_t>(n)); }
  int64_t between(int64_t low, int64_t high) { return low + below(high - low + 1); }
  bool percent(int64_t p) { return below(100) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(below(static_cast<int64_t>(items.size())))];
  }

 private:
  std::mt19937_64 engine_;
};

const std::vector<std::string> kChecks{"engine", "videoio", "network"};

// Plans the faults of the machines, tracking what each one is told, so that recoveries
// undo faults that are really there and not too many machines are broken at once.
class MachinePlanner {
 public:
  MachinePlanner(const Facility& facility, Draw& draw) : facility_(facility), draw_(draw) {
    for (const auto& machine : facility.machines) {
      health_[machine.id];
    }
  }

  // Adds the actions of one machine fault at `at`; returns when they end (a flap lasts).
  int64_t plan(int64_t at, std::vector<Action>& out) {
    const auto& id = draw_.pick(facility_.machines).id;
    MachineHealth& health = health_[id];
    const bool recover = health.anyFault() && (tooManyBroken() || draw_.percent(60));
    if (recover) {
      return emit(at, "recover", id, recoveryCommand(id, health), out);
    }
    const int64_t kind = draw_.below(100);
    const std::string& check = draw_.pick(kChecks);
    if (kind < 30) {
      return emit(at, "fail", id, "fail " + check + " " + id, out);
    }
    if (kind < 55) {
      return emit(at, "hang", id, "hang " + check + " " + id, out);
    }
    if (kind < 68) {
      return emit(at, "drop", id, "drop " + id, out);
    }
    if (kind < 82) {
      return flap(at, id, check, out);
    }
    if (kind < 92) {
      return emit(at, "warn", id, "warn " + check + " " + id, out);
    }
    return emit(at, "critical", id, "critical " + id + " gpu_temp_c 99", out);
  }

 private:
  bool tooManyBroken() const {
    return std::count_if(health_.begin(), health_.end(),
                         [](const auto& item) { return item.second.unhealthy(); }) >= 3;
  }

  std::string recoveryCommand(const std::string& id, const MachineHealth& health) {
    if (draw_.percent(50)) {
      return "recover " + id;
    }
    // One fault only: the others stay, which mixes faults over time.
    std::vector<std::string> broken;
    for (const auto& [check, state] : health.checks) {
      if (state != MachineHealth::State::Ok) {
        broken.push_back(check);
      }
    }
    if (health.dropped) {
      broken.emplace_back("network");
    }
    if (health.critical) {
      broken.emplace_back("diagnostics");
    }
    return "recover " + draw_.pick(broken) + " " + id;
  }

  int64_t emit(int64_t at, const std::string& fault, const std::string& id,
               const std::string& command, std::vector<Action>& out) {
    const auto parsed = parseRenderCommand(command);
    health_[id].apply(parsed.verb, parsed.check);
    Action action;
    action.at_ms = at;
    action.kind = ActionKind::Render;
    action.command = command;
    action.machine = id;
    action.fault = fault;
    out.push_back(action);
    return at;
  }

  // A check that fails and recovers a few times in quick succession, and is left in either
  // state.
  int64_t flap(int64_t at, const std::string& id, const std::string& check,
               std::vector<Action>& out) {
    const int64_t toggles = draw_.between(3, 7);
    for (int64_t i = 0; i < toggles; ++i) {
      const bool fail = i % 2 == 0;
      emit(at, "flap", id, (fail ? "fail " : "recover ") + check + " " + id, out);
      at += draw_.between(60, 250);
    }
    return at;
  }

  const Facility& facility_;
  Draw& draw_;
  std::map<std::string, MachineHealth> health_;
};

void addOutage(int64_t at, int64_t down_ms, ActionKind stop, ActionKind start,
               const std::string& fault, std::vector<Action>& out) {
  Action begin;
  begin.at_ms = at;
  begin.kind = stop;
  begin.fault = fault;
  out.push_back(begin);
  Action end = begin;
  end.at_ms = at + down_ms;
  end.kind = start;
  out.push_back(end);
}

// One fault of a cluster's nodes at `at`: either node killed with SIGKILL and restarted after
// 0.2-3 s, either node frozen with SIGSTOP for 0.2-3 s, or a handover to the node not in charge.
// Returns when the next node fault may come: the cluster has settled after this one.
int64_t planNodeFault(const Facility& facility, int64_t at, int64_t last_outage_end, Draw& draw,
                      std::vector<Action>& out) {
  const int64_t kind = draw.below(100);
  const std::string& node = draw.pick(facility.nodes);
  // Long enough for a takeover (0.5-1.1 s) and for the node coming back to stand by.
  constexpr int64_t kSettleMs = 2500;
  // The node down (killed, or frozen) for 0.2-3 s, when that ends before the next outage.
  const auto nodeOutage = [&](ActionKind begin, ActionKind end, const char* label) {
    const int64_t length = draw.between(200, 3000);
    if (at + length > last_outage_end) {
      return at;
    }
    addOutage(at, length, begin, end, label, out);
    out[out.size() - 2].node = node;
    out.back().node = node;
    return at + length + kSettleMs;
  };
  if (kind < 35) {
    return nodeOutage(ActionKind::NodeKill, ActionKind::NodeStart, "node_kill");
  }
  if (kind < 70) {
    return nodeOutage(ActionKind::NodeFreeze, ActionKind::NodeThaw, "node_freeze");
  }
  Action action;
  action.at_ms = at;
  action.kind = ActionKind::Handover;
  action.fault = "handover";
  out.push_back(action);
  return at + kSettleMs;
}

}  // namespace

const Machine& Facility::machine(const std::string& id) const {
  for (const auto& machine : machines) {
    if (machine.id == id) {
      return machine;
    }
  }
  throw std::out_of_range("unknown machine " + id);
}

const Pair& Facility::pair(const std::string& id) const {
  for (const auto& pair : pairs) {
    if (pair.id == id) {
      return pair;
    }
  }
  throw std::out_of_range("unknown pair " + id);
}

std::string Facility::machineOnInput(int input) const {
  for (const auto& machine : machines) {
    if (machine.input == input) {
      return machine.id;
    }
  }
  return "";
}

std::string Facility::pairTopic(const std::string& pair, const std::string& leaf) const {
  return std::string(cluster ? "failover/studio" : "failover/fo1") + "/pair/" + pair + "/" + leaf;
}

std::string Facility::nodeStateTopic(const std::string& node) const {
  return cluster ? "failover/studio/nodes/" + node + "/state" : "failover/" + node + "/node/state";
}

std::string Facility::routerAddress(const std::string& node) const {
  if (!cluster) {
    return "127.0.0.1";
  }
  // fo1 on 127.0.0.2, fo2 on 127.0.0.3.
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i] == node) {
      return "127.0.0." + std::to_string(2 + i);
    }
  }
  return "";
}

std::string Facility::nodeOfAddress(const std::string& address) const {
  for (const auto& node : nodes) {
    if (routerAddress(node) == address) {
      return node;
    }
  }
  return "";
}

Facility clusterFacility() {
  Facility facility = defaultFacility();
  facility.cluster = true;
  facility.nodes = {"fo1", "fo2"};
  facility.stale_after_ms = 500;
  return facility;
}

Facility defaultFacility() {
  Facility facility;
  facility.machines = {
      {"a-main", 1}, {"b-main", 2}, {"shared-backup", 3}, {"c-main", 4}, {"c-backup", 5}};
  // a and b share one Backup (N:1); a and c fail back by hand, b by itself.
  facility.pairs = {{"a", "a-main", "shared-backup", {1, 2}, false},
                    {"b", "b-main", "shared-backup", {3}, true},
                    {"c", "c-main", "c-backup", {4, 5}, false}};
  return facility;
}

bool MachineHealth::unhealthy() const {
  if (dropped) {
    return true;
  }
  return std::any_of(checks.begin(), checks.end(), [](const auto& item) {
    return item.second == State::Fail || item.second == State::Hang;
  });
}

bool MachineHealth::anyFault() const {
  if (dropped || critical) {
    return true;
  }
  return std::any_of(checks.begin(), checks.end(),
                     [](const auto& item) { return item.second != State::Ok; });
}

void MachineHealth::apply(const std::string& verb, const std::string& check) {
  // As docs/render-sim.md defines the commands.
  if (verb == "drop") {
    dropped = true;
  } else if (verb == "critical") {
    critical = true;
  } else if (verb == "recover" && check.empty()) {
    for (auto& item : checks) {
      item.second = State::Ok;
    }
    dropped = false;
    critical = false;
  } else if (verb == "recover" && check == "diagnostics") {
    critical = false;
  } else if (verb == "recover") {
    checks[check] = State::Ok;
    if (check == "network") {
      dropped = false;  // `recover network M` also undoes a drop
    }
  } else if (verb == "fail") {
    checks[check] = State::Fail;
  } else if (verb == "hang") {
    checks[check] = State::Hang;
  } else if (verb == "warn") {
    checks[check] = State::Warn;
  }
}

RenderCommand parseRenderCommand(const std::string& text) {
  std::istringstream words(text);
  std::vector<std::string> parts;
  std::string word;
  while (words >> word) {
    parts.push_back(word);
  }
  RenderCommand command;
  if (parts.empty()) {
    return command;
  }
  command.verb = parts[0];
  if (command.verb == "drop" || command.verb == "critical" ||
      (command.verb == "recover" && parts.size() == 2)) {
    command.machine = parts.size() > 1 ? parts[1] : "";
  } else if (parts.size() >= 3) {
    command.check = parts[1];
    command.machine = parts[2];
  }
  return command;
}

std::vector<Action> makeSchedule(const Facility& facility, uint64_t seed, int64_t duration_ms) {
  Draw draw(seed);
  MachinePlanner machines(facility, draw);
  std::vector<Action> actions;
  // Outages end this long before the duration, so the end of a run is judged whole.
  const int64_t last_outage_end = duration_ms - 2000;
  int64_t router_up_at = 0;
  int64_t broker_up_at = 0;
  int64_t node_up_at = 0;
  // The share of each kind, in percent, cumulative: machines, operators, router, broker; the
  // rest are the nodes' faults. A cluster's nodes are what its soak is about.
  const std::array<int64_t, 4> upto = facility.cluster ? std::array<int64_t, 4>{58, 70, 77, 83}
                                                       : std::array<int64_t, 4>{68, 82, 89, 95};
  // The first faults come once the node is out of its start-up grace.
  int64_t at = 1500;
  while (at < duration_ms - 500) {
    const int64_t kind = draw.below(100);
    if (kind < upto[0]) {
      at = machines.plan(at, actions);
    } else if (kind < upto[1]) {
      if (at >= router_up_at) {
        const auto& pair = draw.pick(facility.pairs);
        Action action;
        action.at_ms = at;
        action.kind = ActionKind::Operator;
        action.pair = pair.id;
        action.machine = draw.percent(50) ? pair.main : pair.backup;
        action.fault = "operator_switch";
        actions.push_back(action);
      }
    } else if (kind < upto[2]) {
      // Mostly short, sometimes a few seconds: long enough for decisions to wait for it.
      const int64_t down = draw.percent(60) ? draw.between(150, 900) : draw.between(1000, 4000);
      if (at >= router_up_at && at + down <= last_outage_end) {
        addOutage(at, down, ActionKind::RouterStop, ActionKind::RouterStart, "router_restart",
                  actions);
        router_up_at = at + down + 300;
      }
    } else if (kind < upto[3]) {
      const int64_t down = draw.between(150, 2500);
      if (at >= broker_up_at && at + down <= last_outage_end) {
        addOutage(at, down, ActionKind::BrokerStop, ActionKind::BrokerStart, "broker_restart",
                  actions);
        broker_up_at = at + down + 1500;
      }
    } else if (facility.cluster) {
      if (at >= node_up_at) {
        node_up_at = planNodeFault(facility, at, last_outage_end, draw, actions);
      }
    } else {
      const int64_t down = draw.between(50, 1500);
      if (at >= node_up_at && at + down <= last_outage_end) {
        addOutage(at, down, ActionKind::NodeKill, ActionKind::NodeStart, "node_kill", actions);
        node_up_at = at + down + 1500;
      }
    }
    at += draw.between(300, 1700);
  }
  // Everything healthy again at the end, so a run ends in a known state.
  for (const auto& machine : facility.machines) {
    Action action;
    action.at_ms = duration_ms - 400;
    action.kind = ActionKind::Render;
    action.command = "recover " + machine.id;
    action.machine = machine.id;
    action.fault = "final_recover";
    actions.push_back(action);
  }
  std::stable_sort(actions.begin(), actions.end(),
                   [](const Action& a, const Action& b) { return a.at_ms < b.at_ms; });
  return actions;
}

const char* toString(ActionKind kind) {
  switch (kind) {
    case ActionKind::Render:
      return "render";
    case ActionKind::Operator:
      return "operator";
    case ActionKind::RouterStop:
      return "router_stop";
    case ActionKind::RouterStart:
      return "router_start";
    case ActionKind::BrokerStop:
      return "broker_stop";
    case ActionKind::BrokerStart:
      return "broker_start";
    case ActionKind::NodeKill:
      return "node_kill";
    case ActionKind::NodeStart:
      return "node_start";
    case ActionKind::NodeFreeze:
      return "node_freeze";
    case ActionKind::NodeThaw:
      return "node_thaw";
    case ActionKind::Handover:
      return "handover";
  }
  return "?";
}

}  // namespace failover::soak
