#include "failover/engine/failover_engine.h"

#include <algorithm>
#include <set>
#include <type_traits>

#include "engine_impl.h"

namespace failover::engine {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) {
      text += ", ";
    }
    text += items[i];
  }
  return text + "]";
}

// F3: a Main/Backup pair whose features differ is warned about in the pair's state.
// Each signal of the pair with its input on the Main and on the Backup; nothing when a
// machine lacks one of them.
std::optional<std::vector<PairSignal>> resolveSignals(const config::PairSettings& pair,
                                                      const config::MachineSettings& main,
                                                      const config::MachineSettings& backup) {
  std::vector<PairSignal> signals;
  for (config::SignalOutputs& entry : config::pairSignals(pair)) {
    const auto main_input = config::inputOf(main, entry.signal);
    const auto backup_input = config::inputOf(backup, entry.signal);
    if (!main_input || !backup_input || entry.outputs.empty()) {
      return std::nullopt;
    }
    signals.push_back(
        {std::move(entry.signal), std::move(entry.outputs), {*main_input, *backup_input}});
  }
  if (signals.empty()) {
    return std::nullopt;
  }
  return signals;
}

std::optional<PairWarning> featureMismatch(const config::MachineSettings& main,
                                           const config::MachineSettings& backup) {
  const std::set<std::string> main_features(main.features.begin(), main.features.end());
  const std::set<std::string> backup_features(backup.features.begin(), backup.features.end());
  if (main_features == backup_features) {
    return std::nullopt;
  }
  return PairWarning{"feature_mismatch", "features of Main '" + main.id + "' " +
                                             joined(main.features) + " and Backup '" + backup.id +
                                             "' " + joined(backup.features) + " differ"};
}

}  // namespace

FailoverEngine::Impl::Impl(const config::Config& config, core::MonoTime start,
                           EngineOptions options)
    : config_(config),
      options_(options),
      start_(start),
      stale_after_(std::chrono::milliseconds(config.health.stale_after_ms)),
      diagnostics_after_(std::chrono::milliseconds(config.health.diagnostics_stale_after_ms)),
      confirm_fail_(std::chrono::milliseconds(config.health.confirm_fail_ms)),
      confirm_offline_(std::max(confirm_fail_, core::Duration(std::chrono::milliseconds(
                                                   config.health.offline_confirm_ms)))) {
  machines_.resize(config_.machines.size());
  slots_.resize(config_.machines.size() * kCheckCount);
  for (std::size_t m = 0; m < config_.machines.size(); ++m) {
    machines_[m].settings = &config_.machines[m];
    machines_[m].rules.resize(config_.rules.size());
    machine_index_.emplace(config_.machines[m].id, m);
  }
  routers_.resize(config_.routers.size());
  for (std::size_t r = 0; r < config_.routers.size(); ++r) {
    routers_[r].settings = &config_.routers[r];
    routers_[r].enabled = config_.routers[r].enabled;
  }
  // A validated configuration passes every check below; they keep a configuration built in
  // code with dangling references from corrupting the engine (such a pair is not managed).
  pairs_.reserve(config_.pairs.size());
  for (const config::PairSettings& settings : config_.pairs) {
    const auto router = std::find_if(config_.routers.begin(), config_.routers.end(),
                                     [&](const auto& item) { return item.id == settings.router; });
    const auto main = machine_index_.find(settings.main);
    const auto backup = machine_index_.find(settings.backup);
    const bool outputs_valid =
        !settings.outputs.empty() &&
        std::all_of(settings.outputs.begin(), settings.outputs.end(),
                    [](int output) { return output >= 1 && output <= kMaxPort; });
    if (router == config_.routers.end() || main == machine_index_.end() ||
        backup == machine_index_.end() || main->second == backup->second || !outputs_valid) {
      continue;
    }
    auto signals = resolveSignals(settings, *machines_[main->second].settings,
                                  *machines_[backup->second].settings);
    if (!signals) {
      continue;
    }
    const std::size_t p = pairs_.size();
    PairRt& pair = pairs_.emplace_back();
    pair.settings = &settings;
    pair.signals = std::move(*signals);
    pair.mode = settings.mode;
    pair.armed = settings.armed;
    pair.router = static_cast<std::size_t>(router - config_.routers.begin());
    pair.machine[0] = main->second;
    pair.machine[1] = backup->second;
    machines_[pair.machine[0]].pairs.push_back(p);
    machines_[pair.machine[1]].pairs.push_back(p);
    RouterRt& router_state = routers_[pair.router];
    router_state.pairs.push_back(p);
    for (const int output : settings.outputs) {
      const auto index = static_cast<std::size_t>(output - 1);
      if (router_state.owner.size() <= index) {
        router_state.owner.resize(index + 1, kNone);
      }
      router_state.owner[index] = static_cast<int32_t>(p);
    }
    if (auto warning = featureMismatch(*machines_[pair.machine[0]].settings,
                                       *machines_[pair.machine[1]].settings)) {
      pair.static_warnings.push_back(std::move(*warning));
    }
  }
  for (std::size_t i = 0; i < config_.rules.size(); ++i) {
    const auto source = checkIndex(config_.rules[i].source);
    rules_by_source_[source].push_back(i);
    auto& fields = rule_fields_[source];
    if (std::find(fields.begin(), fields.end(), config_.rules[i].field) == fields.end()) {
      fields.push_back(config_.rules[i].field);
    }
  }
  grace_until_ = start + std::chrono::milliseconds(config_.health.startup_grace_ms);
  unknown_deadline_ =
      start + std::max<core::Duration>(std::chrono::milliseconds(config_.health.startup_grace_ms),
                                       stale_after_);
  if (diagnosticsExpected() && diagnostics_after_ > core::Duration::zero()) {
    unheard_diagnostics_deadline_ =
        start + std::max<core::Duration>(std::chrono::milliseconds(config_.health.startup_grace_ms),
                                         diagnostics_after_);
  }
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    pairs_[p].published = digest(p);
  }
  refreshDeadlines();
}

void FailoverEngine::Impl::announce(std::vector<Action>& out) {
  announced_ = true;
  for (const PairRt& pair : pairs_) {
    for (const PairWarning& warning : pair.static_warnings) {
      out.emplace_back(Warning{pair.settings->id, warning.code, warning.message});
    }
  }
}

void FailoverEngine::Impl::handleEvent(const Event& event, core::MonoTime now,
                                       std::vector<Action>& out) {
  if (!announced_) {
    announce(out);
  }
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, HealthObserved>) {
          onHealth(value, now, out);
        } else if constexpr (std::is_same_v<T, RouterObserved>) {
          onRouter(value, now, out);
        } else if constexpr (std::is_same_v<T, BusConnectionChanged>) {
          onBus(value, now, out);
        } else if constexpr (std::is_same_v<T, SwitchCommand>) {
          onSwitch(value, now, out);
        } else if constexpr (std::is_same_v<T, SetMode>) {
          onSetMode(value, now, out);
        } else if constexpr (std::is_same_v<T, SetArmed>) {
          onSetArmed(value, now, out);
        } else if constexpr (std::is_same_v<T, SetRouterEnabled>) {
          onSetRouterEnabled(value, now, out);
        } else if constexpr (std::is_same_v<T, GetState>) {
          onGetState(value, out);
        } else if constexpr (std::is_same_v<T, RouteBlockReport>) {
          onBlockReport(value, now, out);
        } else if constexpr (std::is_same_v<T, ControlChanged>) {
          onControl(value, now, out);
        }
      },
      event);
  // The bookkeeping of every event, in one place: the blocks decided go out (first in
  // `out`), and the timers are computed again if anything moved them.
  flushRoutes(out);
  refreshDeadlines();
}

void FailoverEngine::Impl::tick(core::MonoTime now, std::vector<Action>& out) {
  if (!announced_) {
    announce(out);
  }
  expireStale(now);
  expireDiagnostics(now);
  expireUnknown(now);
  confirmFailures(now);
  activateRules(now);
  expireSwitches(now, out);
  evaluateAll(now, out);
  flushRoutes(out);
  refreshDeadlines();
}

std::optional<core::MonoTime> FailoverEngine::Impl::nextDeadline() const {
  std::optional<core::MonoTime> next;
  const auto consider = [&next](std::optional<core::MonoTime> at) {
    if (at && (!next || *at < *next)) {
      next = at;
    }
  };
  if (bus_up_) {
    if (heartbeats_.head != kNone) {
      consider(slots_[static_cast<std::size_t>(heartbeats_.head)].last_seen + stale_after_);
    }
    if (diagnostics_.head != kNone) {
      consider(slots_[static_cast<std::size_t>(diagnostics_.head)].last_seen + diagnostics_after_);
    }
    consider(unknown_deadline_);
    consider(unheard_diagnostics_deadline_);
  }
  for (const int32_t index : unconfirmed_failures_) {
    consider(*slots_[static_cast<std::size_t>(index)].fail_reported_since +
             confirmationOf(static_cast<std::size_t>(index)));
  }
  consider(rule_deadline_);
  consider(pair_deadline_);
  return next;
}

std::vector<std::string> FailoverEngine::Impl::pairIds() const {
  std::vector<std::string> ids;
  ids.reserve(pairs_.size());
  for (const auto& pair : pairs_) {
    ids.push_back(pair.settings->id);
  }
  return ids;
}

const std::vector<std::string>& FailoverEngine::Impl::ruleFields(config::Check check) const {
  return rule_fields_[checkIndex(check)];
}

config::RunState FailoverEngine::Impl::runState() const {
  config::RunState state;
  for (const auto& pair : pairs_) {
    state.pairs[pair.settings->id] = config::PairRunState{pair.mode, pair.armed};
  }
  for (const auto& router : routers_) {
    state.routers[router.settings->id] = config::RouterRunState{router.enabled};
  }
  return state;
}

// The facade.

std::vector<Action> FailoverEngine::reload(const config::Config& config, core::MonoTime now) {
  std::vector<Action> out;
  impl_ = Impl::reloaded(*impl_, config, now, out);
  return out;
}

FailoverEngine::FailoverEngine(const config::Config& config, core::MonoTime start,
                               EngineOptions options)
    : impl_(std::make_unique<Impl>(config, start, options)) {}

FailoverEngine::~FailoverEngine() = default;

std::vector<Action> FailoverEngine::handle(const Event& event, core::MonoTime now) {
  std::vector<Action> out;
  impl_->handleEvent(event, now, out);
  return out;
}

std::vector<Action> FailoverEngine::tick(core::MonoTime now) {
  std::vector<Action> out;
  impl_->tick(now, out);
  return out;
}

std::optional<core::MonoTime> FailoverEngine::nextDeadline() const {
  return impl_->nextDeadline();
}

std::optional<PairView> FailoverEngine::pairView(const std::string& pair) const {
  return impl_->pairView(pair);
}

std::vector<std::string> FailoverEngine::pairIds() const {
  return impl_->pairIds();
}

const std::vector<std::string>& FailoverEngine::ruleFields(config::Check check) const {
  return impl_->ruleFields(check);
}

config::RunState FailoverEngine::runState() const {
  return impl_->runState();
}

}  // namespace failover::engine
