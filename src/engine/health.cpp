// Health of the machines: check states from messages, staleness, rules and the critical
// condition; and how a machine stands against one pair's triggers.

#include <algorithm>

#include "engine_impl.h"

namespace failover::engine {
namespace {

bool isFailing(CheckStatus status) {
  return status == CheckStatus::Fail || status == CheckStatus::Stale;
}

CheckStatus fromReported(Reported status) {
  switch (status) {
    case Reported::Ok:
      return CheckStatus::Ok;
    case Reported::Warn:
      return CheckStatus::Warn;
    case Reported::Fail:
      return CheckStatus::Fail;
  }
  return CheckStatus::Fail;
}

template <typename T>
bool compare(config::Operator op, const T& left, const T& right) {
  switch (op) {
    case config::Operator::Greater:
      return left > right;
    case config::Operator::GreaterEqual:
      return left >= right;
    case config::Operator::Less:
      return left < right;
    case config::Operator::LessEqual:
      return left <= right;
    case config::Operator::Equal:
      return left == right;
    case config::Operator::NotEqual:
      return left != right;
  }
  return false;
}

// A value of another type than the rule's never satisfies it.
bool ruleHolds(const config::RuleSettings& rule, const FieldValue& value) {
  if (rule.value.number) {
    const auto* number = std::get_if<double>(&value);
    return number != nullptr && compare(rule.op, *number, *rule.value.number);
  }
  if (rule.value.text) {
    const auto* text = std::get_if<std::string>(&value);
    return text != nullptr && compare(rule.op, *text, *rule.value.text);
  }
  if (rule.value.boolean) {
    const auto* flag = std::get_if<bool>(&value);
    return flag != nullptr && compare(rule.op, *flag, *rule.value.boolean);
  }
  return false;
}

std::string checkName(config::Check check) {
  return config::toString(check);
}

}  // namespace

SilenceList* FailoverEngine::Impl::silenceListOf(config::Check check) {
  switch (check) {
    case config::Check::Engine:
    case config::Check::VideoIo:
    case config::Check::Network:
      return &heartbeats_;
    case config::Check::Diagnostics:
      // The diagnostics service may publish only on change: its silence is not a failure,
      // but after diagnostics_stale_after_ms its last word is no longer known to be true.
      return diagnosticsExpected() && diagnostics_after_ > core::Duration::zero() ? &diagnostics_
                                                                                  : nullptr;
    case config::Check::Status:
      return nullptr;  // the agent's status is a retained last will, not a heartbeat
  }
  return nullptr;
}

bool FailoverEngine::Impl::diagnosticsExpected() const {
  const auto topic = config_.health.topics.find(config::Check::Diagnostics);
  return topic != config_.health.topics.end() && !topic->second.empty();
}

bool FailoverEngine::Impl::applyReported(std::size_t machine, config::Check check,
                                         CheckStatus status, core::MonoTime read_at) {
  CheckSlot& state = slot(machine, check);
  const auto index = static_cast<int32_t>(machine * kCheckCount + checkIndex(check));
  if (status == CheckStatus::Fail && !isFailing(state.status) &&
      confirmationOf(static_cast<std::size_t>(index)) > core::Duration::zero()) {
    // Debounce: a reported failure counts once it has held confirm_fail_ms (confirmFailures).
    if (!state.fail_reported_since) {
      state.fail_reported_since = read_at;
      unconfirmed_failures_.push_back(index);
    }
    return false;
  }
  if (state.fail_reported_since) {
    state.fail_reported_since.reset();
    std::erase(unconfirmed_failures_, index);
  }
  if (state.status == status) {
    return false;
  }
  if (isFailing(status) && !isFailing(state.status)) {
    state.failing_since = read_at;
  }
  state.status = status;
  return true;
}

void FailoverEngine::Impl::onHealth(const HealthObserved& event, core::MonoTime now,
                                    std::vector<Action>& out) {
  const auto found = machine_index_.find(event.machine);
  if (found == machine_index_.end()) {
    return;
  }
  const std::size_t m = found->second;
  MachineRt& machine = machines_[m];
  CheckSlot& check = slot(m, event.check);

  const core::MonoTime read_at =
      event.received_at && *event.received_at <= now ? *event.received_at : now;
  if (now - last_health_at_ > stale_after_ / 2) {
    resumed_at_ = now;
  }
  last_health_at_ = now;
  const bool link_proven = link_proof_wanted_;
  link_proof_wanted_ = false;
  bool changed = applyReported(m, event.check, fromReported(event.status), read_at);
  if (check.silent) {
    check.silent = false;  // diagnostics heard again
    changed = true;
  }
  if (check.detail != event.detail) {
    check.detail = event.detail;  // reuses the string's capacity
  }
  if (SilenceList* list = silenceListOf(event.check)) {
    check.last_seen = now;
    listTouch(*list, static_cast<int32_t>(m * kCheckCount + checkIndex(event.check)));
  }
  if (event.check == config::Check::Engine && event.engine_mode &&
      machine.engine_mode != event.engine_mode) {
    machine.engine_mode = event.engine_mode;
    const bool live = *event.engine_mode == "live";
    if (live != machine.live) {
      machine.live = live;
      changed = true;
    }
  }
  if (event.check == config::Check::Diagnostics &&
      machine.critical_parameters != event.critical_parameters) {
    machine.critical_parameters = event.critical_parameters;
    changed = true;
  }
  if (!rules_by_source_[checkIndex(event.check)].empty() && evaluateRules(m, event, now)) {
    changed = true;
  }
  if (!changed) {
    if (link_proven) {
      evaluateAll(now, out);  // a failover waited for this proof that the link delivers
    }
    return;
  }
  updateCritical(m, read_at);
  if (link_proven) {
    evaluateAll(now, out);
    return;
  }
  for (const std::size_t pair : machine.pairs) {
    evaluatePair(pair, now, out);
  }
}

bool FailoverEngine::Impl::evaluateRules(std::size_t machine, const HealthObserved& event,
                                         core::MonoTime now) {
  bool severity_changed = false;
  for (const std::size_t index : rules_by_source_[checkIndex(event.check)]) {
    const config::RuleSettings& rule = config_.rules[index];
    RuleState& state = machines_[machine].rules[index];
    bool holds = false;
    for (const FieldSample& sample : event.fields) {
      if (sample.path == rule.field) {
        holds = ruleHolds(rule, sample.value);
        break;
      }
    }
    if (holds && !state.holding) {
      state.holding = true;
      state.since = now;
      rules_dirty_ = true;
      if (rule.for_ms <= 0) {
        state.active = true;
        severity_changed = true;
      }
    } else if (holds && !state.active &&
               now >= state.since + std::chrono::milliseconds(rule.for_ms)) {
      state.active = true;
      rules_dirty_ = true;
      severity_changed = true;
    } else if (!holds && state.holding) {
      severity_changed = severity_changed || state.active;
      state = RuleState{};
      rules_dirty_ = true;
    }
  }
  return severity_changed;
}

void FailoverEngine::Impl::resetRules(std::size_t machine, config::Check source) {
  for (const std::size_t index : rules_by_source_[checkIndex(source)]) {
    if (machines_[machine].rules[index].holding) {
      machines_[machine].rules[index] = RuleState{};
      rules_dirty_ = true;
    }
  }
}

bool FailoverEngine::Impl::updateCritical(std::size_t machine, core::MonoTime now) {
  MachineRt& state = machines_[machine];
  bool critical = slot(machine, config::Check::Diagnostics).status == CheckStatus::Fail ||
                  !state.critical_parameters.empty();
  for (std::size_t i = 0; i < config_.rules.size() && !critical; ++i) {
    critical = state.rules[i].active && config_.rules[i].severity == config::Severity::Critical;
  }
  if (critical == state.critical) {
    return false;
  }
  state.critical = critical;
  if (critical) {
    state.critical_since = now;
  }
  return true;
}

void FailoverEngine::Impl::expireStale(core::MonoTime now) {
  if (!bus_up_) {
    return;  // nothing could arrive while the node was cut off; see onBus()
  }
  while (heartbeats_.head != kNone) {
    const auto index = static_cast<std::size_t>(heartbeats_.head);
    CheckSlot& check = slots_[index];
    const core::MonoTime due = check.last_seen + stale_after_;
    if (due > now) {
      break;
    }
    listRemove(heartbeats_, heartbeats_.head);
    if (!isFailing(check.status)) {
      check.failing_since = due;
    }
    check.status = CheckStatus::Stale;
    check.detail = "no message for " + std::to_string(config_.health.stale_after_ms) + " ms";
    const std::size_t machine = index / kCheckCount;
    resetRules(machine, static_cast<config::Check>(index % kCheckCount));
    updateCritical(machine, now);
  }
}

void FailoverEngine::Impl::forgetDiagnostics(std::size_t machine, const std::string& detail,
                                             core::MonoTime now) {
  CheckSlot& check = slot(machine, config::Check::Diagnostics);
  const auto index =
      static_cast<int32_t>(machine * kCheckCount + checkIndex(config::Check::Diagnostics));
  if (check.fail_reported_since) {
    check.fail_reported_since.reset();
    std::erase(unconfirmed_failures_, index);
  }
  check.status = CheckStatus::Unknown;
  check.silent = true;
  check.detail = detail;
  machines_[machine].critical_parameters.clear();
  resetRules(machine, config::Check::Diagnostics);
  updateCritical(machine, now);
}

void FailoverEngine::Impl::expireDiagnostics(core::MonoTime now) {
  if (!bus_up_) {
    return;
  }
  while (diagnostics_.head != kNone) {
    const auto index = static_cast<std::size_t>(diagnostics_.head);
    if (slots_[index].last_seen + diagnostics_after_ > now) {
      break;
    }
    listRemove(diagnostics_, diagnostics_.head);
    forgetDiagnostics(
        index / kCheckCount,
        "no diagnostics for " + std::to_string(config_.health.diagnostics_stale_after_ms) + " ms",
        now);
  }
  if (unheard_diagnostics_deadline_ && now >= *unheard_diagnostics_deadline_) {
    unheard_diagnostics_deadline_.reset();
    for (std::size_t m = 0; m < machines_.size(); ++m) {
      const CheckSlot& check = slot(m, config::Check::Diagnostics);
      if (check.status == CheckStatus::Unknown && !check.fresh && !check.silent) {
        forgetDiagnostics(m, "no diagnostics since start", now);
      }
    }
  }
}

void FailoverEngine::Impl::expireUnknown(core::MonoTime now) {
  if (!bus_up_ || !unknown_deadline_ || now < *unknown_deadline_) {
    return;
  }
  for (std::size_t m = 0; m < machines_.size(); ++m) {
    for (const auto check :
         {config::Check::Engine, config::Check::VideoIo, config::Check::Network}) {
      CheckSlot& state = slot(m, check);
      if (state.status == CheckStatus::Unknown) {
        state.status = CheckStatus::Stale;
        state.failing_since = *unknown_deadline_;
        state.detail = "no message since start";
      }
    }
  }
  unknown_deadline_.reset();
}

void FailoverEngine::Impl::dropUnconfirmedFailures() {
  // A stopping broker publishes the Last Will of every client (`offline`) and then drops the
  // node: those reports say that the broker went, not the machines. Whatever is true is
  // reported again when the node is back (retained status, heartbeats), during its grace.
  for (const int32_t index : unconfirmed_failures_) {
    slots_[static_cast<std::size_t>(index)].fail_reported_since.reset();
  }
  unconfirmed_failures_.clear();
}

void FailoverEngine::Impl::confirmFailures(core::MonoTime now) {
  for (std::size_t i = 0; i < unconfirmed_failures_.size();) {
    const auto index = static_cast<std::size_t>(unconfirmed_failures_[i]);
    CheckSlot& check = slots_[index];
    if (*check.fail_reported_since + confirmationOf(index) > now) {
      ++i;
      continue;
    }
    // Held without an ok in between: it counts, dated from its first report.
    if (!isFailing(check.status)) {
      check.failing_since = *check.fail_reported_since;
    }
    check.status = CheckStatus::Fail;
    check.fail_reported_since.reset();
    unconfirmed_failures_.erase(unconfirmed_failures_.begin() + static_cast<std::ptrdiff_t>(i));
    updateCritical(index / kCheckCount, now);
  }
}

void FailoverEngine::Impl::activateRules(core::MonoTime now) {
  if (!rule_deadline_ || now < *rule_deadline_) {
    return;
  }
  for (std::size_t m = 0; m < machines_.size(); ++m) {
    bool changed = false;
    for (std::size_t i = 0; i < config_.rules.size(); ++i) {
      RuleState& state = machines_[m].rules[i];
      if (state.holding && !state.active &&
          state.since + std::chrono::milliseconds(config_.rules[i].for_ms) <= now) {
        state.active = true;
        changed = true;
      }
    }
    if (changed) {
      rules_dirty_ = true;
      updateCritical(m, now);
    }
  }
}

void FailoverEngine::Impl::onBus(const BusConnectionChanged& event, core::MonoTime now,
                                 std::vector<Action>& out) {
  if (event.connected == bus_up_) {
    return;
  }
  bus_up_ = event.connected;
  if (!bus_up_) {
    dropUnconfirmedFailures();
  }
  if (bus_up_) {
    // Messages could not arrive while the node was cut off: every heartbeat gets a full
    // stale_after_ms from now, and nothing automatic happens during the reconnect grace.
    grace_until_ =
        std::max(grace_until_, now + std::chrono::milliseconds(config_.health.reconnect_grace_ms));
    grace_pending_ = true;
    for (const SilenceList* list : {&heartbeats_, &diagnostics_}) {
      for (int32_t i = list->head; i != kNone; i = slots_[static_cast<std::size_t>(i)].next) {
        slots_[static_cast<std::size_t>(i)].last_seen = now;
      }
    }
    if (unknown_deadline_) {
      unknown_deadline_ = std::max(*unknown_deadline_, now + stale_after_);
    }
    if (unheard_diagnostics_deadline_) {
      unheard_diagnostics_deadline_ =
          std::max(*unheard_diagnostics_deadline_, now + diagnostics_after_);
    }
  }
  evaluateAll(now, out);
}

void FailoverEngine::Impl::listTouch(SilenceList& list, int32_t index) {
  CheckSlot& check = slots_[static_cast<std::size_t>(index)];
  if (check.fresh) {
    if (list.tail == index) {
      return;
    }
    listRemove(list, index);
  }
  check.fresh = true;
  check.prev = list.tail;
  check.next = kNone;
  if (list.tail != kNone) {
    slots_[static_cast<std::size_t>(list.tail)].next = index;
  } else {
    list.head = index;
  }
  list.tail = index;
}

void FailoverEngine::Impl::listRemove(SilenceList& list, int32_t index) {
  CheckSlot& check = slots_[static_cast<std::size_t>(index)];
  if (check.prev != kNone) {
    slots_[static_cast<std::size_t>(check.prev)].next = check.next;
  } else {
    list.head = check.next;
  }
  if (check.next != kNone) {
    slots_[static_cast<std::size_t>(check.next)].prev = check.prev;
  } else {
    list.tail = check.prev;
  }
  check.prev = kNone;
  check.next = kNone;
  check.fresh = false;
}

Verdict FailoverEngine::Impl::verdict(std::size_t machine, const config::PairSettings& pair) const {
  Verdict result = Verdict::Good;
  const auto consider = [&result](CheckStatus status) {
    if (isFailing(status)) {
      return true;
    }
    if (status == CheckStatus::Unknown) {
      result = Verdict::Unknown;
    }
    return false;
  };
  for (const config::Trigger trigger : pair.triggers) {
    switch (trigger) {
      case config::Trigger::Engine:
        if (consider(slot(machine, config::Check::Engine).status)) {
          return Verdict::Failing;
        }
        break;
      case config::Trigger::VideoIo:
        if (consider(slot(machine, config::Check::VideoIo).status)) {
          return Verdict::Failing;
        }
        break;
      case config::Trigger::Network:
        if (slot(machine, config::Check::Status).status == CheckStatus::Fail ||
            consider(slot(machine, config::Check::Network).status)) {
          return Verdict::Failing;
        }
        break;
      case config::Trigger::Critical:
        if (machines_[machine].critical) {
          return Verdict::Failing;
        }
        break;
    }
  }
  return result;
}

bool FailoverEngine::Impl::silentOnly(std::size_t machine, const config::PairSettings& pair) const {
  bool silent = false;
  const auto consider = [&](config::Check check) {
    const CheckSlot& state = slot(machine, check);
    if (state.status == CheckStatus::Stale) {
      silent = true;
      return true;
    }
    return !isFailing(state.status);
  };
  for (const config::Trigger trigger : pair.triggers) {
    bool only_silence = true;
    switch (trigger) {
      case config::Trigger::Engine:
        only_silence = consider(config::Check::Engine);
        break;
      case config::Trigger::VideoIo:
        only_silence = consider(config::Check::VideoIo);
        break;
      case config::Trigger::Network:
        only_silence = slot(machine, config::Check::Status).status != CheckStatus::Fail &&
                       consider(config::Check::Network);
        break;
      case config::Trigger::Critical:
        // Diagnostics and rules are reported values, never silence.
        only_silence = !machines_[machine].critical;
        break;
    }
    if (!only_silence) {
      return false;
    }
  }
  return silent;
}

std::optional<TriggerInfo> FailoverEngine::Impl::firstFailure(std::size_t machine,
                                                              const config::PairSettings& pair,
                                                              core::MonoTime* since) const {
  const std::string& id = machineId(machine);
  const auto fromCheck = [&](config::Check check) -> std::optional<TriggerInfo> {
    const CheckSlot& state = slot(machine, check);
    if (!isFailing(state.status)) {
      return std::nullopt;
    }
    *since = state.failing_since;
    return TriggerInfo{id, checkName(check), toString(state.status), state.detail};
  };
  for (const config::Trigger trigger : pair.triggers) {
    std::optional<TriggerInfo> found;
    switch (trigger) {
      case config::Trigger::Engine:
        found = fromCheck(config::Check::Engine);
        break;
      case config::Trigger::VideoIo:
        found = fromCheck(config::Check::VideoIo);
        break;
      case config::Trigger::Network: {
        const CheckSlot& status = slot(machine, config::Check::Status);
        if (status.status == CheckStatus::Fail) {
          *since = status.failing_since;
          found = TriggerInfo{id, "status", "offline",
                              status.detail.empty() ? "agent offline" : status.detail};
        } else {
          found = fromCheck(config::Check::Network);
        }
        break;
      }
      case config::Trigger::Critical: {
        const MachineRt& state = machines_[machine];
        if (!state.critical) {
          break;
        }
        *since = state.critical_since;
        std::string detail;
        const CheckSlot& diagnostics = slot(machine, config::Check::Diagnostics);
        if (!state.critical_parameters.empty()) {
          detail = "critical parameter";
          for (const auto& name : state.critical_parameters) {
            detail += " " + name;
          }
        } else if (diagnostics.status == CheckStatus::Fail) {
          detail = diagnostics.detail.empty() ? "diagnostics critical" : diagnostics.detail;
        } else {
          for (std::size_t i = 0; i < config_.rules.size(); ++i) {
            if (state.rules[i].active && config_.rules[i].severity == config::Severity::Critical) {
              detail = "rule " + config_.rules[i].name;
              break;
            }
          }
        }
        found = TriggerInfo{id, "critical", "critical", detail};
        break;
      }
    }
    if (found) {
      return found;
    }
  }
  return std::nullopt;
}

std::string FailoverEngine::Impl::unhealthyReason(std::size_t machine,
                                                  const config::PairSettings& pair) const {
  core::MonoTime since{};
  if (const auto failure = firstFailure(machine, pair, &since)) {
    return failure->machine + " " + failure->check + " " + failure->status +
           (failure->detail.empty() ? "" : " (" + failure->detail + ")");
  }
  for (const config::Trigger trigger : pair.triggers) {
    const config::Check check = trigger == config::Trigger::Engine    ? config::Check::Engine
                                : trigger == config::Trigger::VideoIo ? config::Check::VideoIo
                                : trigger == config::Trigger::Network ? config::Check::Network
                                                                      : config::Check::Diagnostics;
    if (check != config::Check::Diagnostics &&
        slot(machine, check).status == CheckStatus::Unknown) {
      return machineId(machine) + " " + checkName(check) + " has not reported yet";
    }
  }
  return machineId(machine) + " is healthy";
}

}  // namespace failover::engine
