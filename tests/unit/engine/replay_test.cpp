// Replay: recorded event sequences (tests/data/engine/*.json) run through the engine and
// every step's actions must match the golden list stored with it. The JSON is decoded here,
// in the test; the engine never sees JSON.
//
// File format:
//   {"description": "...", "config": "basic" | "shared_backup",
//    "pair_settings": {"failback": "auto", "failback_after_ms": 10000, "require_live": true,
//                      "triggers": ["engine", ...], "min_dwell_ms": 5000},   (optional, all pairs)
//    "steps": [{"at": <ms since start>, <one event>, "expect": ["<action text>", ...]}]}
// Events: "health": {"machine","check","status","detail","mode","critical":[...],
//                    "fields":{"path":value}}
//         "router": {"router","connected","full","routes":[[out,in],...],"locked":[...]}
//         "bus": true|false          "tick": true
//         "switch": {"pair","target","force","id"}   "set_mode": {"pair","mode","id"}
//         "set_armed": {"pair","armed","id"}
//         "block": {"request_id", "outcome": "sent"|"ack"|"refused"|"lost",
//                   "reason": "locked"|"nak"|..., "detail": "...", "sent_at": ms}
//         "beats": {"to": ms, "silent": [["machine","check"],...],
//                   "status": {"machine/check": "fail"}}   heartbeats every 100 ms from "at"
//                   for every machine (engine, videoio, network), ticking at deadlines between
// A missing "expect" means no actions. With FAILOVER_REPLAY_RECORD=1 the test rewrites the
// files' expectations from the engine's output instead (review the diff before committing).

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using nlohmann::json;

const std::filesystem::path kReplayDir = std::filesystem::path(FAILOVER_TEST_DATA_DIR) / "engine";

config::Check checkFrom(const std::string& name) {
  const auto check = core::valueOf(config::kCheckNames, name);
  if (!check) {
    ADD_FAILURE() << "unknown check " << name;
  }
  return check.value_or(config::Check::Engine);
}

// The published names, plus the agent's "online" and the diagnostics' "warning".
Reported statusFrom(const std::string& name) {
  if (name == "online") {
    return Reported::Ok;
  }
  if (name == "warning") {
    return Reported::Warn;
  }
  return core::valueOf(engine::kReportedNames, name).value_or(Reported::Fail);
}

config::Trigger triggerFrom(const std::string& name) {
  return core::valueOf(config::kTriggerNames, name).value_or(config::Trigger::Engine);
}

config::Config configFrom(const json& file) {
  config::Config config =
      file.value("config", "basic") == "shared_backup" ? sharedBackupConfig() : basicConfig();
  if (file.contains("pair_settings")) {
    const json& settings = file["pair_settings"];
    for (auto& pair : config.pairs) {
      if (settings.contains("failback")) {
        pair.failback =
            core::valueOf(config::kFailbackModeNames, settings["failback"].get<std::string>())
                .value_or(config::FailbackMode::Manual);
      }
      pair.failback_after_ms = settings.value("failback_after_ms", pair.failback_after_ms);
      pair.min_dwell_ms = settings.value("min_dwell_ms", pair.min_dwell_ms);
      pair.require_live = settings.value("require_live", pair.require_live);
      if (settings.contains("triggers")) {
        pair.triggers.clear();
        for (const auto& trigger : settings["triggers"]) {
          pair.triggers.push_back(triggerFrom(trigger.get<std::string>()));
        }
      }
    }
  }
  return config;
}

class Replayer : public EngineTimeline {
 public:
  using EngineTimeline::start;
  void TestBody() override {}

  std::vector<std::string> step(const json& item) {
    const int64_t ms = item.at("at").get<int64_t>();
    if (item.contains("tick")) {
      return tick(ms);
    }
    if (item.contains("beats")) {
      const json& beats = item["beats"];
      silent_.clear();
      reported_.clear();
      for (const auto& entry : beats.value("silent", json::array())) {
        silence(entry[0].get<std::string>(), checkFrom(entry[1].get<std::string>()));
      }
      const json statuses = beats.value("status", json::object());
      for (const auto& [key, value] : statuses.items()) {
        const auto slash = key.find('/');
        report(key.substr(0, slash), checkFrom(key.substr(slash + 1)),
               statusFrom(value.get<std::string>()));
      }
      next_beat_ = std::max(next_beat_, ms);
      now_ = std::max(now_, ms);
      return runTo(beats.at("to").get<int64_t>());
    }
    return handle(ms, eventFrom(item));
  }

  static Event eventFrom(const json& item) {
    if (item.contains("health")) {
      const json& h = item["health"];
      HealthObserved event = health(h.at("machine"), checkFrom(h.at("check")),
                                    statusFrom(h.value("status", "ok")), h.value("detail", ""));
      if (h.contains("mode")) {
        event.engine_mode = h["mode"].get<std::string>();
      }
      for (const auto& name : h.value("critical", json::array())) {
        event.critical_parameters.push_back(name.get<std::string>());
      }
      const json fields = h.value("fields", json::object());
      for (const auto& [path, value] : fields.items()) {
        if (value.is_number()) {
          event.fields.push_back({path, value.get<double>()});
        } else if (value.is_boolean()) {
          event.fields.push_back({path, value.get<bool>()});
        } else {
          event.fields.push_back({path, value.get<std::string>()});
        }
      }
      return event;
    }
    if (item.contains("router")) {
      const json& r = item["router"];
      RouterObserved event;
      event.router = r.value("router", "vh1");
      event.connected = r.value("connected", true);
      event.full = r.value("full", false);
      for (const auto& route : r.value("routes", json::array())) {
        event.routes.push_back({route[0].get<int>(), route[1].get<int>()});
      }
      if (r.contains("locked")) {
        event.locked_outputs = r["locked"].get<std::vector<int>>();
      }
      return event;
    }
    if (item.contains("bus")) {
      return BusConnectionChanged{item["bus"].get<bool>()};
    }
    if (item.contains("switch")) {
      const json& s = item["switch"];
      return switchTo(s.at("pair"), s.at("target"), s.value("force", false), s.value("id", "c1"));
    }
    if (item.contains("set_mode")) {
      const json& s = item["set_mode"];
      return SetMode{
          s.at("pair"),
          s.at("mode") == "manual" ? config::FailoverMode::Manual : config::FailoverMode::Auto,
          {s.value("id", "m1"), "replay", std::nullopt}};
    }
    if (item.contains("set_armed")) {
      const json& s = item["set_armed"];
      return SetArmed{
          s.at("pair"), s.at("armed").get<bool>(), {s.value("id", "a1"), "replay", std::nullopt}};
    }
    if (item.contains("block")) {
      const json& b = item["block"];
      RouteBlockReport report;
      report.request_id = b.at("request_id").get<uint64_t>();
      const std::string outcome = b.at("outcome").get<std::string>();
      if (outcome == "sent") {
        report.outcome = core::BlockSent{at(b.value("sent_at", item.at("at").get<int64_t>()))};
      } else if (outcome == "ack") {
        report.outcome = core::BlockAcknowledged{};
      } else if (outcome == "lost") {
        report.outcome = core::BlockConnectionLost{b.value("detail", "")};
      } else {
        const std::string reason = b.value("reason", "nak");
        report.outcome =
            core::BlockRefused{reason == "disabled"        ? core::BlockRefusal::Disabled
                               : reason == "not_connected" ? core::BlockRefusal::NotConnected
                               : reason == "unavailable"   ? core::BlockRefusal::Unavailable
                               : reason == "out_of_range"  ? core::BlockRefusal::OutOfRange
                               : reason == "locked"        ? core::BlockRefusal::Locked
                                                           : core::BlockRefusal::Nak,
                               b.value("detail", "")};
      }
      return report;
    }
    ADD_FAILURE() << "step without an event: " << item.dump();
    return BusConnectionChanged{true};
  }
};

std::vector<std::string> replayFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kReplayDir)) {
    if (entry.path().extension() == ".json") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplayTest, MatchesGoldenActions) {
  const std::filesystem::path path = kReplayDir / GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  json file = json::parse(in);
  const bool record = std::getenv("FAILOVER_REPLAY_RECORD") != nullptr;

  Replayer replay;
  replay.start(configFrom(file));
  for (std::size_t i = 0; i < file.at("steps").size(); ++i) {
    json& item = file["steps"][i];
    const std::vector<std::string> actions = replay.step(item);
    if (record) {
      if (actions.empty()) {
        item.erase("expect");
      } else {
        item["expect"] = actions;
      }
      continue;
    }
    const auto expected = item.value("expect", std::vector<std::string>{});
    EXPECT_EQ(actions, expected) << GetParam() << " step " << i << " at " << item.at("at");
  }
  if (record) {
    std::ofstream(path) << file.dump(2) << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, ReplayTest, ::testing::ValuesIn(replayFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name =
                               param_info.param.substr(0, param_info.param.size() - 5);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace failover::engine::testing
