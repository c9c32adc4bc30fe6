// Snapshots of a pair for publishing, the pair's current warnings, and change detection
// (PairStateChanged when anything published changed).

#include <algorithm>

#include "engine_impl.h"

namespace failover::engine {
namespace {

constexpr std::array<config::Check, kCheckCount> kChecks = {
    config::Check::Status, config::Check::Engine, config::Check::VideoIo, config::Check::Network,
    config::Check::Diagnostics};

std::string listOf(const std::vector<int>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) {
      text += ',';
    }
    text += std::to_string(values[i]);
  }
  text += ']';
  return text;
}

// The one input every output in `outputs` shows, if they agree on one.
std::optional<int> commonSource(const RouterRt& router, const std::vector<int>& outputs) {
  std::optional<int> input;
  for (const int output : outputs) {
    const auto index = static_cast<std::size_t>(output - 1);
    const int source = index < router.source.size() ? router.source[index] : 0;
    if (source == 0 || (input && *input != source)) {
      return std::nullopt;
    }
    input = source;
  }
  return input;
}

}  // namespace

std::optional<PairView> FailoverEngine::Impl::pairView(const std::string& pair) const {
  const auto found = findPair(pair);
  if (!found) {
    return std::nullopt;
  }
  return buildView(*found);
}

FailoverState FailoverEngine::Impl::failoverState(std::size_t p) const {
  const PairRt& pair = pairs_[p];
  if (pair.switching) {
    return FailoverState::Switching;
  }
  if (!pair.active ||
      verdict(pair.machine[sideIndex(*pair.active)], *pair.settings) == Verdict::Failing) {
    return FailoverState::Degraded;
  }
  return *pair.active == Side::Backup ? FailoverState::Active : FailoverState::Idle;
}

bool FailoverEngine::Impl::switchAdvised(std::size_t p) const {
  const PairRt& pair = pairs_[p];
  if (!pair.active) {
    return false;
  }
  const Side active = *pair.active;
  const std::size_t active_machine = pair.machine[sideIndex(active)];
  const std::size_t standby_machine = pair.machine[sideIndex(otherSide(active))];
  return (machines_[active_machine].critical ||
          verdict(active_machine, *pair.settings) == Verdict::Failing) &&
         verdict(standby_machine, *pair.settings) == Verdict::Good &&
         !busyElsewhere(standby_machine, p, nullptr);
}

MachineStatus FailoverEngine::Impl::machineStatus(std::size_t machine,
                                                  const config::PairSettings& pair) const {
  const Verdict standing = verdict(machine, pair);
  if (standing == Verdict::Failing) {
    return MachineStatus::Fail;
  }
  if (machines_[machine].critical) {
    return MachineStatus::Critical;
  }
  if (standing == Verdict::Unknown) {
    return MachineStatus::Unknown;
  }
  for (const config::Check check : kChecks) {
    const CheckSlot& state = slot(machine, check);
    if (state.status == CheckStatus::Warn || state.status == CheckStatus::Fail ||
        state.status == CheckStatus::Stale || state.silent) {
      return MachineStatus::Warn;
    }
  }
  for (std::size_t i = 0; i < config_.rules.size(); ++i) {
    if (machines_[machine].rules[i].active) {
      return MachineStatus::Warn;
    }
  }
  return MachineStatus::Ok;
}

std::vector<PairWarning> FailoverEngine::Impl::warnings(std::size_t p) const {
  const PairRt& pair = pairs_[p];
  const RouterRt& router = routers_[pair.router];
  const std::string& router_id = router.settings->id;
  std::vector<PairWarning> list = pair.static_warnings;
  if (!router.enabled) {
    list.push_back({"router_disabled", "router '" + router_id + "' is disabled: no switching"});
  } else if (!router.connected) {
    list.push_back({"router_disconnected", "router '" + router_id +
                                               "' is not connected: the active machine is "
                                               "unknown and no switch is possible"});
  } else if (router.routing_known && !pair.active && !pair.switching) {
    list.push_back({"routing_unknown",
                    "outputs " + listOf(pair.settings->outputs) + " show neither " +
                        sideId(pair, Side::Main) + " (" + sideInputs(pair, Side::Main) + ") nor " +
                        sideId(pair, Side::Backup) + " (" + sideInputs(pair, Side::Backup) + ")"});
  }
  if (const std::string beyond = portsBeyondRouter(pair); !beyond.empty()) {
    list.push_back({"port_out_of_range", beyond + "; switches of this pair are refused"});
  }
  // lock_outputs forces locks off before routing, as force_unlock does.
  const bool forced = router.settings->force_unlock || router.settings->lock_outputs;
  for (const int output : pair.settings->outputs) {
    if (std::binary_search(router.locked.begin(), router.locked.end(), output)) {
      list.push_back({"output_locked", "output " + std::to_string(output) + " of router '" +
                                           router_id + "' is locked by another client: " +
                                           (forced ? "it is force-unlocked before a switch"
                                                   : "a switch would be refused")});
      break;
    }
  }
  if (diagnosticsExpected()) {
    for (const Side side : {Side::Main, Side::Backup}) {
      const CheckSlot& diagnostics =
          slot(pair.machine[sideIndex(side)], config::Check::Diagnostics);
      if (diagnostics.status == CheckStatus::Unknown && diagnostics.silent) {
        list.push_back({"diagnostics_unknown", sideId(pair, side) + " diagnostics unknown (" +
                                                   diagnostics.detail +
                                                   "): its critical parameters are not watched"});
        break;
      }
    }
  }
  if (pair.active) {
    const Side active = *pair.active;
    const std::size_t active_machine = pair.machine[sideIndex(active)];
    const std::size_t standby_machine = pair.machine[sideIndex(otherSide(active))];
    std::string other_pair;
    if (verdict(standby_machine, *pair.settings) == Verdict::Failing) {
      list.push_back({"standby_unhealthy",
                      "no failover possible: " + unhealthyReason(standby_machine, *pair.settings)});
    } else if (busyElsewhere(standby_machine, p, &other_pair)) {
      list.push_back({"backup_busy", "no failover possible: " + machineId(standby_machine) +
                                         " is on air for pair '" + other_pair + "'"});
    }
    if (pair.settings->require_live && active == Side::Main && !machines_[active_machine].live &&
        verdict(active_machine, *pair.settings) == Verdict::Failing) {
      list.push_back({"not_live", "Main " + machineId(active_machine) +
                                      " had not reported live mode: no automatic failover "
                                      "(require_live)"});
    }
  }
  return list;
}

PairDigest FailoverEngine::Impl::digest(std::size_t p) const {
  const PairRt& pair = pairs_[p];
  const RouterRt& router = routers_[pair.router];
  PairDigest digest;
  digest.active = pair.active;
  digest.failover = failoverState(p);
  digest.switch_advised = switchAdvised(p);
  digest.mode = pair.mode;
  digest.armed = pair.armed;
  digest.router_enabled = router.enabled;
  digest.router_connected = router.connected;
  for (std::size_t side = 0; side < 2; ++side) {
    const std::size_t machine = pair.machine[side];
    digest.machine_status[side] = machineStatus(machine, *pair.settings);
    digest.healthy[side] = verdict(machine, *pair.settings) == Verdict::Good;
    digest.live[side] = machines_[machine].live;
    for (std::size_t c = 0; c < kCheckCount; ++c) {
      digest.checks[side][c] = slots_[machine * kCheckCount + c].status;
    }
  }
  for (const int output : pair.settings->outputs) {
    if (std::binary_search(router.locked.begin(), router.locked.end(), output)) {
      digest.locked.push_back(output);
    }
    const auto index = static_cast<std::size_t>(output - 1);
    digest.sources.push_back(router.connected && index < router.source.size() ? router.source[index]
                                                                              : 0);
  }
  digest.warnings = warnings(p);
  digest.seq = pair.seq;
  return digest;
}

void FailoverEngine::Impl::publishIfChanged(std::size_t p, std::vector<Action>& out) {
  PairRt& pair = pairs_[p];
  PairDigest current = digest(p);
  if (current == pair.published) {
    return;
  }
  for (const PairWarning& warning : current.warnings) {
    const bool known =
        std::any_of(pair.published.warnings.begin(), pair.published.warnings.end(),
                    [&warning](const PairWarning& old) { return old.code == warning.code; });
    if (!known) {
      out.emplace_back(Warning{pair.settings->id, warning.code, warning.message});
    }
  }
  pair.published = std::move(current);
  out.emplace_back(PairStateChanged{pair.settings->id});
}

PairView FailoverEngine::Impl::buildView(std::size_t p) const {
  const PairRt& pair = pairs_[p];
  const RouterRt& router = routers_[pair.router];
  PairView view;
  view.pair = pair.settings->id;
  view.main = sideId(pair, Side::Main);
  view.backup = sideId(pair, Side::Backup);
  if (pair.active) {
    view.active = sideId(pair, *pair.active);
  }
  view.mode = pair.mode;
  view.armed = pair.armed;
  view.failover = failoverState(p);
  view.switch_advised = switchAdvised(p);
  for (std::size_t side = 0; side < 2; ++side) {
    const std::size_t machine = pair.machine[side];
    MachineView entry;
    entry.id = machineId(machine);
    entry.healthy = verdict(machine, *pair.settings) == Verdict::Good;
    entry.critical = machines_[machine].critical;
    entry.status = machineStatus(machine, *pair.settings);
    for (const config::Check check : kChecks) {
      const CheckSlot& state = slot(machine, check);
      entry.checks.push_back(CheckView{check, state.status, state.detail});
    }
    entry.engine_mode = machines_[machine].engine_mode;
    for (std::size_t i = 0; i < config_.rules.size(); ++i) {
      if (machines_[machine].rules[i].active) {
        entry.active_rules.push_back(config_.rules[i].name);
      }
    }
    view.machines.push_back(std::move(entry));
  }
  view.router.id = router.settings->id;
  view.router.enabled = router.enabled;
  view.router.connected = router.connected;
  view.router.outputs = pair.settings->outputs;
  if (router.connected) {
    view.router.input = commonSource(router, pair.settings->outputs);
  }
  for (const PairSignal& signal : pair.signals) {
    SignalView& entry = view.router.signals.emplace_back();
    entry.signal = signal.name;
    entry.outputs = signal.outputs;
    entry.main_input = signal.input[sideIndex(Side::Main)];
    entry.backup_input = signal.input[sideIndex(Side::Backup)];
    if (router.connected) {
      entry.input = commonSource(router, signal.outputs);
    }
  }
  for (const int output : pair.settings->outputs) {
    if (std::binary_search(router.locked.begin(), router.locked.end(), output)) {
      view.router.locked_outputs.push_back(output);
    }
  }
  view.warnings = warnings(p);
  view.last_switch = pair.last_switch;
  return view;
}

}  // namespace failover::engine
