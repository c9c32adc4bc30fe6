#include "engine_fixture.h"

#include <limits>
#include <type_traits>

namespace failover::engine::testing {
namespace {

config::MachineSettings machine(const std::string& id, int input) {
  config::MachineSettings settings;
  settings.id = id;
  settings.label = id;
  settings.input = input;
  settings.features = {"ar"};
  return settings;
}

config::Config emptyConfig() {
  config::Config config;
  config.health.stale_after_ms = 500;
  config.health.startup_grace_ms = 2000;
  config.health.reconnect_grace_ms = 2000;
  // The timeline's machines run no diagnostics service; tests of diagnostics enable it.
  config.health.diagnostics_stale_after_ms = 0;
  config::RouterSettings router;
  router.id = "vh1";
  config.routers.push_back(router);
  return config;
}

config::PairSettings pair(const std::string& id, const std::string& main, const std::string& backup,
                          std::vector<int> outputs) {
  config::PairSettings settings;
  settings.id = id;
  settings.router = "vh1";
  settings.main = main;
  settings.backup = backup;
  settings.outputs = std::move(outputs);
  return settings;
}

std::string routesText(const std::vector<core::Route>& routes) {
  std::string text;
  for (const core::Route& route : routes) {
    if (!text.empty()) {
      text += ',';
    }
    text += std::to_string(route.output);
    text += ':';
    text += std::to_string(route.input);
  }
  return text;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) {
      text += ',';
    }
    text += item;
  }
  return text;
}

}  // namespace

config::Config basicConfig() {
  config::Config config = emptyConfig();
  config.machines = {machine("green-main", 1), machine("green-backup", 2)};
  config.pairs = {pair("green", "green-main", "green-backup", {1, 2})};
  return config;
}

config::Config sharedBackupConfig() {
  config::Config config = basicConfig();
  config.machines.push_back(machine("blue-main", 3));
  config.pairs.push_back(pair("blue", "blue-main", "green-backup", {3}));
  return config;
}

config::Config fillKeyConfig() {
  config::Config config = emptyConfig();
  config::MachineSettings ar_main = machine("ar-main", 0);
  ar_main.inputs = {{"fill", 11}, {"key", 12}};
  config::MachineSettings ar_backup = machine("ar-backup", 0);
  ar_backup.inputs = {{"fill", 13}, {"key", 14}};
  config.machines = {ar_main, ar_backup, machine("cam-main", 5), machine("cam-backup", 6)};
  config::PairSettings ar = pair("ar", "ar-main", "ar-backup", {1, 7, 2});
  ar.signal_outputs = {{"fill", {1, 7}}, {"key", {2}}};
  config.pairs = {ar, pair("cam", "cam-main", "cam-backup", {3})};
  return config;
}

config::Config manyPairsConfig(int count) {
  config::Config config = emptyConfig();
  for (int i = 1; i <= count; ++i) {
    const std::string n = std::to_string(i);
    config.machines.push_back(machine("m" + n + "-main", 2 * i - 1));
    config.machines.push_back(machine("m" + n + "-backup", 2 * i));
    config.pairs.push_back(pair("p" + n, "m" + n + "-main", "m" + n + "-backup", {i}));
  }
  return config;
}

std::string describe(const FailoverEngine& engine, const Action& action) {
  return std::visit(
      [&engine](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, RouteRequest>) {
          return "route " + value.router + " #" + std::to_string(value.request_id) + " " +
                 routesText(value.routes) + " [" + joined(value.pairs) + "]";
        } else if constexpr (std::is_same_v<T, PairStateChanged>) {
          const auto view = engine.pairView(value.pair);
          return "state " + value.pair + " " + toString(view->failover) +
                 " active=" + view->active.value_or("?") + (view->switch_advised ? " advised" : "");
        } else if constexpr (std::is_same_v<T, SwitchEventAction>) {
          const SwitchEvent& event = value.event;
          std::string text = std::string("event ") + toString(event.type) + " " + event.pair +
                             " #" + std::to_string(event.seq) + " " + event.from.value_or("?") +
                             "->" + event.to.value_or("?");
          text += event.ok ? " ok" : std::string(" ") + toString(*event.error);
          if (event.trigger) {
            text += " trigger=" + event.trigger->machine + "/" + event.trigger->check + "/" +
                    event.trigger->status;
          }
          return text;
        } else if constexpr (std::is_same_v<T, AuditEvent>) {
          return "audit " + value.setting + " " + (value.pair.empty() ? value.router : value.pair) +
                 " " + value.from + "->" + value.to;
        } else if constexpr (std::is_same_v<T, CommandReply>) {
          return "reply " + value.command_id + " " +
                 (value.ok ? std::string("ok") : std::string(toString(*value.error)));
        } else if constexpr (std::is_same_v<T, Warning>) {
          return "warning " + value.pair + " " + value.code;
        } else if constexpr (std::is_same_v<T, SetRouterConnection>) {
          return "connection " + value.router + (value.enabled ? " ON" : " OFF");
        } else {
          return "save";
        }
      },
      action);
}

std::vector<std::string> describe(const FailoverEngine& engine,
                                  const std::vector<Action>& actions) {
  std::vector<std::string> lines;
  for (const Action& action : actions) {
    lines.push_back(describe(engine, action));
  }
  return lines;
}

HealthObserved health(const std::string& machine, config::Check check, Reported status,
                      const std::string& detail) {
  HealthObserved event;
  event.machine = machine;
  event.check = check;
  event.status = status;
  event.detail = detail;
  return event;
}

RouterObserved routing(const std::vector<core::Route>& routes, bool full,
                       const std::string& router) {
  RouterObserved event;
  event.router = router;
  event.connected = true;
  event.full = full;
  event.routes = routes;
  if (full) {
    event.locked_outputs = std::vector<int>{};
  }
  return event;
}

RouterObserved routerDown(const std::string& router) {
  RouterObserved event;
  event.router = router;
  event.connected = false;
  return event;
}

SwitchCommand switchTo(const std::string& pair, const std::string& target, bool force,
                       const std::string& id) {
  SwitchCommand command;
  command.pair = pair;
  command.target = target;
  command.force = force;
  command.meta.command_id = id;
  command.meta.requested_by = "operator";
  command.meta.transaction = "tx-" + id;
  return command;
}

void EngineTimeline::start(const config::Config& config, EngineOptions options) {
  config_ = config;
  engine_ = std::make_unique<FailoverEngine>(config_, at(0), options);
  now_ = 0;
  next_beat_ = 0;
}

std::vector<Action> EngineTimeline::handleRaw(int64_t ms, const Event& event) {
  EXPECT_GE(ms, now_) << "time runs forward";
  now_ = ms;
  return engine_->handle(event, at(ms));
}

std::vector<std::string> EngineTimeline::handle(int64_t ms, const Event& event) {
  return describe(*engine_, handleRaw(ms, event));
}

std::vector<std::string> EngineTimeline::reload(int64_t ms, const config::Config& config) {
  EXPECT_GE(ms, now_) << "time runs forward";
  now_ = ms;
  config_ = config;
  return describe(*engine_, engine_->reload(config_, at(ms)));
}

std::vector<std::string> EngineTimeline::tick(int64_t ms) {
  EXPECT_GE(ms, now_) << "time runs forward";
  now_ = ms;
  return describe(*engine_, engine_->tick(at(ms)));
}

std::vector<std::string> EngineTimeline::runTo(int64_t ms) {
  std::vector<std::string> log;
  const auto append = [&log](std::vector<std::string> lines) {
    log.insert(log.end(), lines.begin(), lines.end());
  };
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const auto next = engine_->nextDeadline();
    const int64_t due = next ? std::max(msOf(*next), now_) : std::numeric_limits<int64_t>::max();
    if (std::min(due, next_beat_) > ms) {
      now_ = ms;
      return log;
    }
    if (due <= next_beat_ && next && due >= now_) {
      append(tick(due));
      // A deadline that does not move after its tick would spin: fail instead.
      const auto after = engine_->nextDeadline();
      if (after && msOf(*after) <= due && due == now_) {
        ADD_FAILURE() << "nextDeadline did not advance past " << due;
        return log;
      }
      continue;
    }
    const int64_t beat = next_beat_;
    next_beat_ += 100;
    for (const auto& machine : config_.machines) {
      for (const auto check :
           {config::Check::Engine, config::Check::VideoIo, config::Check::Network}) {
        if (silent_.count({machine.id, check}) != 0) {
          continue;
        }
        const auto status = reported_.find({machine.id, check});
        HealthObserved event =
            health(machine.id, check, status == reported_.end() ? Reported::Ok : status->second);
        if (check == config::Check::Engine) {
          const auto mode = modes_.find(machine.id);
          event.engine_mode = mode == modes_.end() ? "live" : mode->second;
        }
        append(handle(std::max(beat, now_), event));
      }
    }
  }
  ADD_FAILURE() << "timeline did not finish";
  return log;
}

void EngineTimeline::settle(int64_t until_ms) {
  std::vector<core::Route> routes;
  for (const auto& pair : config_.pairs) {
    const config::MachineSettings& main = *config_.findMachine(pair.main);
    for (const config::SignalOutputs& signal : config::pairSignals(pair)) {
      for (const int output : signal.outputs) {
        routes.push_back({output, config::inputOf(main, signal.signal).value_or(0)});
      }
    }
  }
  handle(0, routing(routes));
  for (const auto& machine : config_.machines) {
    handle(0, health(machine.id, config::Check::Status, Reported::Ok));
  }
  const auto log = runTo(until_ms);
  for (const auto& line : log) {
    EXPECT_EQ(line.rfind("state ", 0), 0u) << "unexpected action while settling: " << line;
  }
  for (const auto& pair : config_.pairs) {
    EXPECT_EQ(view(pair.id).failover, FailoverState::Idle) << pair.id;
  }
}

}  // namespace failover::engine::testing
