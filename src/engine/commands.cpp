// Operator commands: manual switch, mode, arming, router enable, state requests. Each is
// answered exactly once; a switch is answered when the router confirms it (decisions.cpp).

#include "engine_impl.h"

namespace failover::engine {
namespace {

const char* onOff(bool value) {
  return value ? "ON" : "OFF";
}

}  // namespace

std::optional<std::size_t> FailoverEngine::Impl::findPair(const std::string& id) const {
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    if (pairs_[p].settings->id == id) {
      return p;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> FailoverEngine::Impl::commandedPair(const CommandMeta& meta,
                                                               const std::string& id,
                                                               std::vector<Action>& out) const {
  const auto found = findPair(id);
  if (!found) {
    out.emplace_back(refusal(meta, id, ErrorCode::UnknownPair, "unknown pair '" + id + "'"));
  }
  return found;
}

CommandReply FailoverEngine::Impl::reply(const CommandMeta& meta, const std::string& pair) const {
  CommandReply answer;
  answer.command_id = meta.command_id;
  answer.pair = pair;
  answer.transaction = meta.transaction;
  return answer;
}

CommandReply FailoverEngine::Impl::refusal(const CommandMeta& meta, const std::string& pair,
                                           ErrorCode code, std::string message) const {
  CommandReply answer = reply(meta, pair);
  answer.ok = false;
  answer.error = code;
  answer.message = std::move(message);
  return answer;
}

void FailoverEngine::Impl::onSwitch(const SwitchCommand& command, core::MonoTime now,
                                    std::vector<Action>& out) {
  const auto found = commandedPair(command.meta, command.pair, out);
  if (!found) {
    return;
  }
  const std::size_t p = *found;
  PairRt& pair = pairs_[p];
  const auto refuse = [&](ErrorCode code, std::string message) {
    CommandReply answer = refusal(command.meta, command.pair, code, std::move(message));
    answer.state = buildView(p);
    out.emplace_back(std::move(answer));
  };

  Side target = Side::Backup;
  if (command.target == "other") {
    if (!pair.active) {
      refuse(ErrorCode::NotAllowed, "the active machine is unknown; name the machine to switch to");
      return;
    }
    target = otherSide(*pair.active);
  } else if (command.target == sideId(pair, Side::Main)) {
    target = Side::Main;
  } else if (command.target == sideId(pair, Side::Backup)) {
    target = Side::Backup;
  } else {
    refuse(ErrorCode::UnknownTarget, "'" + command.target + "' is neither the Main '" +
                                         sideId(pair, Side::Main) + "' nor the Backup '" +
                                         sideId(pair, Side::Backup) + "' of pair '" + command.pair +
                                         "'");
    return;
  }
  if (!in_charge_) {
    // The node hands a standby no commands; should one arrive, it is refused, never routed.
    refuse(ErrorCode::NotAllowed, "this node is not the one in charge");
    return;
  }
  const RouterRt& router = routers_[pair.router];
  if (!router.enabled) {
    refuse(ErrorCode::NotAllowed, "router '" + router.settings->id + "' is disabled");
    return;
  }
  if (!router.connected) {
    refuse(ErrorCode::RouterDisconnected, "router '" + router.settings->id + "' is not connected");
    return;
  }
  if (pair.switching) {
    refuse(ErrorCode::Busy, "a switch of pair '" + command.pair + "' is in progress");
    return;
  }
  if (pair.active == target) {
    CommandReply answer = reply(command.meta, command.pair);
    answer.message = sideId(pair, target) + " is already active";
    answer.state = buildView(p);
    out.emplace_back(std::move(answer));
    return;
  }
  const std::size_t target_machine = pair.machine[sideIndex(target)];
  if (!command.force && verdict(target_machine, *pair.settings) != Verdict::Good) {
    refuse(ErrorCode::TargetUnhealthy,
           unhealthyReason(target_machine, *pair.settings) + "; force switches anyway");
    return;
  }
  std::string other_pair;
  if (!command.force && busyElsewhere(target_machine, p, &other_pair)) {
    refuse(ErrorCode::Busy, machineId(target_machine) + " is on air for pair '" + other_pair +
                                "'; force switches anyway");
    return;
  }

  PendingSwitch pending;
  pending.target = target;
  pending.from = pair.active;
  pending.kind = SwitchEventType::ManualSwitch;
  pending.is_command = true;
  pending.force = command.force;
  pending.meta = command.meta;
  pending.detected =
      command.received_at && *command.received_at <= now ? *command.received_at : now;
  pending.reason = "manual switch to " + machineId(target_machine);
  if (command.meta.requested_by) {
    pending.reason += " requested by " + *command.meta.requested_by;
  }
  if (command.force) {
    pending.reason += " (forced)";
  }
  startSwitch(p, std::move(pending), now);
  evaluatePair(p, now, out);
}

void FailoverEngine::Impl::onSetMode(const SetMode& command, core::MonoTime now,
                                     std::vector<Action>& out) {
  const auto found = commandedPair(command.meta, command.pair, out);
  if (!found) {
    return;
  }
  PairRt& pair = pairs_[*found];
  if (pair.mode != command.mode) {
    out.emplace_back(AuditEvent{"mode", command.pair, "", config::toString(pair.mode),
                                config::toString(command.mode), command.meta.requested_by,
                                command.meta.transaction});
    pair.mode = command.mode;
    out.emplace_back(SaveRunState{runState()});
    evaluatePair(*found, now, out);
  }
  CommandReply answer = reply(command.meta, command.pair);
  answer.message = std::string("mode ") + config::toString(pair.mode);
  answer.state = buildView(*found);
  out.emplace_back(std::move(answer));
}

void FailoverEngine::Impl::onSetArmed(const SetArmed& command, core::MonoTime now,
                                      std::vector<Action>& out) {
  const auto found = commandedPair(command.meta, command.pair, out);
  if (!found) {
    return;
  }
  PairRt& pair = pairs_[*found];
  if (pair.armed != command.armed) {
    out.emplace_back(AuditEvent{"armed", command.pair, "", onOff(pair.armed), onOff(command.armed),
                                command.meta.requested_by, command.meta.transaction});
    pair.armed = command.armed;
    out.emplace_back(SaveRunState{runState()});
    evaluatePair(*found, now, out);
  }
  CommandReply answer = reply(command.meta, command.pair);
  answer.message = pair.armed ? "armed" : "disarmed";
  answer.state = buildView(*found);
  out.emplace_back(std::move(answer));
}

void FailoverEngine::Impl::onSetRouterEnabled(const SetRouterEnabled& command, core::MonoTime now,
                                              std::vector<Action>& out) {
  std::size_t r = 0;
  while (r < routers_.size() && routers_[r].settings->id != command.router) {
    ++r;
  }
  if (r == routers_.size()) {
    out.emplace_back(refusal(command.meta, "", ErrorCode::BadRequest,
                             "unknown router '" + command.router + "'"));
    return;
  }
  RouterRt& router = routers_[r];
  if (router.enabled != command.enabled) {
    out.emplace_back(AuditEvent{"router_enabled", "", command.router, onOff(router.enabled),
                                onOff(command.enabled), command.meta.requested_by,
                                command.meta.transaction});
    router.enabled = command.enabled;
    out.emplace_back(SetRouterConnection{command.router, command.enabled});
    out.emplace_back(SaveRunState{runState()});
    if (!router.enabled && router.connected) {
      // The daemon closes the connection: from now on nobody knows what the router shows, and
      // nothing is routed to it before it has reconnected and shown its routing again.
      routerLost(r, now, out);
    } else {
      for (const std::size_t p : router.pairs) {
        evaluatePair(p, now, out);
      }
    }
  }
  CommandReply answer = reply(command.meta, "");
  answer.message = std::string("router ") + (router.enabled ? "enabled" : "disabled");
  out.emplace_back(std::move(answer));
}

void FailoverEngine::Impl::onGetState(const GetState& command, std::vector<Action>& out) {
  const auto found = commandedPair(command.meta, command.pair, out);
  if (!found) {
    return;
  }
  CommandReply answer = reply(command.meta, command.pair);
  answer.state = buildView(*found);
  out.emplace_back(std::move(answer));
}

}  // namespace failover::engine
