#include "failover/daemon/json_views.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace failover::daemon {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const core::MonoTime kMono = core::MonoTime{} + std::chrono::hours(5);
// 2026-11-25T10:15:30.000Z
const core::WallTime kWall = core::WallTime{} + std::chrono::seconds(1795601730);
const TimeBase kBase{kMono, kWall};

std::set<std::string> keysOf(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) {
    keys.insert(key);
  }
  return keys;
}

bool isRfc3339Millis(const Json& value) {
  static const std::regex kPattern(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
  return value.is_string() && std::regex_match(value.get<std::string>(), kPattern);
}

engine::SwitchEvent failoverEvent() {
  engine::SwitchEvent event;
  event.type = engine::SwitchEventType::Failover;
  event.pair = "green";
  event.seq = 7;
  event.from = "green-main";
  event.to = "green-backup";
  event.reason = "green-main engine stale: switching to green-backup";
  event.trigger = engine::TriggerInfo{"green-main", "engine", "fail", "stale"};
  event.mode = config::FailoverMode::Auto;
  event.router = "vh1";
  event.outputs = {1};
  event.input_from = 1;
  event.input_to = 2;
  event.signals = {{"program", {1}, 1, 2}};
  event.detected = kMono + 123ms;
  event.commanded = kMono + 123ms + 200us;
  event.confirmed = kMono + 123ms + 600us;
  return event;
}

engine::PairView greenView() {
  engine::PairView view;
  view.pair = "green";
  view.main = "green-main";
  view.backup = "green-backup";
  view.active = "green-main";
  view.mode = config::FailoverMode::Manual;
  view.armed = false;
  view.failover = engine::FailoverState::Idle;
  view.switch_advised = true;
  for (const std::string id : {"green-main", "green-backup"}) {
    engine::MachineView machine;
    machine.id = id;
    machine.healthy = id == "green-backup";
    machine.status = id == "green-backup" ? engine::MachineStatus::Ok : engine::MachineStatus::Fail;
    machine.checks = {{config::Check::Status, engine::CheckStatus::Ok, ""},
                      {config::Check::Engine,
                       id == "green-backup" ? engine::CheckStatus::Ok : engine::CheckStatus::Stale,
                       id == "green-backup" ? "" : "stale"}};
    view.machines.push_back(machine);
  }
  view.router.id = "vh1";
  view.router.connected = true;
  view.router.outputs = {1, 2};
  view.router.input = 1;
  view.warnings = {{"feature_mismatch", "features differ"}};
  return view;
}

TEST(Rfc3339Test, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339(kWall), "2026-11-25T10:15:30.000Z");
  EXPECT_EQ(rfc3339(kWall + 123ms), "2026-11-25T10:15:30.123Z");
  EXPECT_EQ(rfc3339(kWall + 999999us), "2026-11-25T10:15:30.999Z");  // truncated, not rounded
  EXPECT_EQ(rfc3339(core::WallTime{}), "1970-01-01T00:00:00.000Z");
}

TEST(Rfc3339Test, TimesBeforeTheEpochStayValid) {
  EXPECT_EQ(rfc3339(core::WallTime{} - 1ms), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(rfc3339(core::WallTime{} - 1500ms), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(rfc3339(core::WallTime{} - 1s), "1969-12-31T23:59:59.000Z");
}

TEST(TimeBaseTest, MapsMonotonicOntoWallTime) {
  EXPECT_EQ(kBase.toWall(kMono), kWall);
  EXPECT_EQ(kBase.toWall(kMono + 1500ms), kWall + 1500ms);
  EXPECT_EQ(kBase.toWall(kMono - 2s), kWall - 2s);
}

// The SPEC example's fields, plus `description` (the engine's sentence for people, a
// documented extension in docs/mqtt-api.md).
TEST(SwitchEventJsonTest, HasExactlyTheSpecFieldsAndTypes) {
  const Json json = switchEventJson(failoverEvent(), kBase);
  EXPECT_EQ(keysOf(json),
            (std::set<std::string>{"event_type", "pair", "seq", "from", "to", "reason", "trigger",
                                   "requested_by", "transaction", "mode", "router", "ts",
                                   "latency_ms", "result", "description"}));
  EXPECT_EQ(json["description"], "green-main engine stale: switching to green-backup");
  EXPECT_EQ(json["event_type"], "failover");
  EXPECT_EQ(json["pair"], "green");
  EXPECT_TRUE(json["seq"].is_number_unsigned());
  EXPECT_EQ(json["seq"], 7);
  EXPECT_EQ(json["from"], "green-main");
  EXPECT_EQ(json["to"], "green-backup");
  EXPECT_EQ(json["reason"], "health");
  EXPECT_EQ(json["trigger"], (Json{{"machine", "green-main"},
                                   {"check", "engine"},
                                   {"status", "fail"},
                                   {"detail", "stale"}}));
  EXPECT_TRUE(json["requested_by"].is_null());
  EXPECT_TRUE(json["transaction"].is_null());
  EXPECT_EQ(json["mode"], "auto");
  EXPECT_EQ(
      json["router"],
      (Json{{"id", "vh1"},
            {"outputs", {1}},
            {"input_from", 1},
            {"input_to", 2},
            {"signals",
             Json::array({Json{
                 {"signal", "program"}, {"outputs", {1}}, {"input_from", 1}, {"input_to", 2}}})}}));
  EXPECT_EQ(keysOf(json["ts"]), (std::set<std::string>{"detected", "commanded", "confirmed"}));
  for (const auto& [key, value] : json["ts"].items()) {
    EXPECT_TRUE(isRfc3339Millis(value)) << key << ": " << value;
  }
  EXPECT_EQ(json["ts"]["detected"], "2026-11-25T10:15:30.123Z");
  EXPECT_EQ(keysOf(json["latency_ms"]),
            (std::set<std::string>{"detect_to_command", "command_to_confirm", "total"}));
  EXPECT_DOUBLE_EQ(json["latency_ms"]["detect_to_command"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(json["latency_ms"]["command_to_confirm"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(json["latency_ms"]["total"].get<double>(), 0.6);
  EXPECT_EQ(json["result"], "ok");
}

TEST(SwitchEventJsonTest, ManualSwitchCarriesSenderAndTransaction) {
  auto event = failoverEvent();
  event.type = engine::SwitchEventType::ManualSwitch;
  event.trigger.reset();
  event.requested_by = "desk";
  event.transaction = "t-1";
  event.mode = config::FailoverMode::Manual;
  const Json json = switchEventJson(event, kBase);
  EXPECT_EQ(json["event_type"], "manual_switch");
  EXPECT_EQ(json["reason"], "manual");
  EXPECT_TRUE(json["trigger"].is_null());
  EXPECT_EQ(json["requested_by"], "desk");
  EXPECT_EQ(json["transaction"], "t-1");
  EXPECT_EQ(json["mode"], "manual");
}

TEST(SwitchEventJsonTest, MissingStagesAreNull) {
  auto event = failoverEvent();
  event.type = engine::SwitchEventType::SwitchFailed;
  event.attempted = engine::SwitchEventType::Failover;
  event.confirmed.reset();
  event.ok = false;
  event.error = engine::ErrorCode::RouterTimeout;
  event.error_message = "no confirmation";
  event.from.reset();
  event.input_from.reset();
  const Json json = switchEventJson(event, kBase);
  EXPECT_EQ(json["event_type"], "switch_failed");
  EXPECT_EQ(json["reason"], "health") << "the code of what was attempted";
  EXPECT_EQ(json["result"], "failed");
  EXPECT_EQ(json["attempted"], "failover");
  EXPECT_EQ(json["error"]["code"], "router_timeout");
  EXPECT_EQ(json["error"]["message"], "no confirmation");
  EXPECT_TRUE(json["from"].is_null());
  EXPECT_TRUE(json["router"]["input_from"].is_null());
  EXPECT_TRUE(json["ts"]["confirmed"].is_null());
  EXPECT_TRUE(isRfc3339Millis(json["ts"]["commanded"]));
  EXPECT_TRUE(json["latency_ms"]["command_to_confirm"].is_null());
  EXPECT_TRUE(json["latency_ms"]["total"].is_null());
  EXPECT_FALSE(totalLatencyMs(event));
}

TEST(SwitchEventJsonTest, TotalLatency) {
  const auto total = totalLatencyMs(failoverEvent());
  ASSERT_TRUE(total);
  EXPECT_DOUBLE_EQ(*total, 0.6);
}

TEST(PairStateJsonTest, HasEveryFieldTheSpecNames) {
  const Json json = pairStateJson(greenView(), kBase);
  for (const std::string key :
       {"pair", "main", "backup", "active", "mode", "armed", "failover", "switch_advised",
        "machines", "router", "warnings", "last_switch"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["pair"], "green");
  EXPECT_EQ(json["main"], "green-main");
  EXPECT_EQ(json["backup"], "green-backup");
  EXPECT_EQ(json["active"], "green-main");
  EXPECT_EQ(json["mode"], "manual");
  EXPECT_EQ(json["armed"], false);
  EXPECT_EQ(json["failover"], "idle");
  EXPECT_EQ(json["switch_advised"], true);

  ASSERT_TRUE(json["machines"].is_object());
  EXPECT_EQ(keysOf(json["machines"]), (std::set<std::string>{"green-main", "green-backup"}));
  const Json& main = json["machines"]["green-main"];
  EXPECT_EQ(main["healthy"], false);
  EXPECT_EQ(main["status"], "fail");
  EXPECT_EQ(main["checks"]["engine"]["status"], "stale");
  EXPECT_EQ(main["checks"]["engine"]["detail"], "stale");
  EXPECT_EQ(main["checks"]["status"]["status"], "ok");
  EXPECT_EQ(json["machines"]["green-backup"]["healthy"], true);
  EXPECT_EQ(json["machines"]["green-backup"]["status"], "ok");

  const Json& router = json["router"];
  EXPECT_EQ(router["connected"], true);
  EXPECT_EQ(router["outputs"], (Json{1, 2}));
  EXPECT_EQ(router["input"], 1);
  EXPECT_EQ(router["id"], "vh1");

  ASSERT_TRUE(json["warnings"].is_array());
  ASSERT_EQ(json["warnings"].size(), 1u);
  EXPECT_EQ(json["warnings"][0]["code"], "feature_mismatch");
  EXPECT_TRUE(json["last_switch"].is_null());
}

TEST(PairStateJsonTest, ShowsEachSignalWithItsInputs) {
  auto view = greenView();
  view.router.outputs = {1, 7, 2};
  view.router.input.reset();
  view.router.signals = {{"fill", {1, 7}, 11, 13, 11}, {"key", {2}, 12, 14, std::nullopt}};
  const Json json = pairStateJson(view, kBase);
  EXPECT_EQ(json["router"]["signals"], (Json::parse(R"([
      {"signal": "fill", "outputs": [1, 7], "main_input": 11, "backup_input": 13, "input": 11},
      {"signal": "key", "outputs": [2], "main_input": 12, "backup_input": 14, "input": null}])")));
}

TEST(FacilityJsonTest, DescribesMachinesAndPairsWithTheirSignals) {
  config::Config config;
  config::MachineSettings ar_main;
  ar_main.id = "ar-main";
  ar_main.label = "AR Main";
  ar_main.inputs = {{"fill", 11}, {"key", 12}};
  config::MachineSettings cam;
  cam.id = "cam-main";
  cam.label = "Cam";
  cam.input = 5;
  config.machines = {ar_main, cam};
  config::PairSettings ar;
  ar.id = "ar";
  ar.router = "vh1";
  ar.main = "ar-main";
  ar.backup = "ar-backup";
  ar.outputs = {1, 7, 2};
  ar.signal_outputs = {{"fill", {1, 7}}, {"key", {2}}};
  config.pairs = {ar};
  EXPECT_EQ(facilityJson(config), Json::parse(R"({
      "machines": [
        {"id": "ar-main", "label": "AR Main", "inputs": {"fill": 11, "key": 12}},
        {"id": "cam-main", "label": "Cam", "inputs": {"program": 5}}],
      "pairs": [
        {"id": "ar", "router": "vh1", "main": "ar-main", "backup": "ar-backup",
         "signals": [{"signal": "fill", "outputs": [1, 7]}, {"signal": "key", "outputs": [2]}]}]
    })"));
}

TEST(PairStateJsonTest, UnknownActiveAndLastSwitch) {
  auto view = greenView();
  view.active.reset();
  view.router.input.reset();
  view.failover = engine::FailoverState::Degraded;
  view.last_switch = failoverEvent();
  const Json json = pairStateJson(view, kBase);
  EXPECT_TRUE(json["active"].is_null());
  EXPECT_TRUE(json["router"]["input"].is_null());
  EXPECT_EQ(json["failover"], "degraded");
  EXPECT_EQ(json["last_switch"], switchEventJson(failoverEvent(), kBase));
  EXPECT_TRUE(json["warnings"].is_array());
}

TEST(CommandReplyJsonTest, OkShape) {
  engine::CommandReply reply;
  reply.command_id = "1";
  reply.pair = "green";
  reply.transaction = "t-5";
  reply.state = greenView();
  reply.event = failoverEvent();
  const Json json = commandReplyJson(reply, kBase);
  EXPECT_EQ(keysOf(json), (std::set<std::string>{"status", "transaction", "data"}));
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["transaction"], "t-5");
  EXPECT_EQ(json["data"]["state"], pairStateJson(greenView(), kBase));
  EXPECT_EQ(json["data"]["event"], switchEventJson(failoverEvent(), kBase));

  engine::CommandReply bare;
  const Json minimal = commandReplyJson(bare, kBase);
  EXPECT_TRUE(minimal["transaction"].is_null());
  EXPECT_EQ(minimal["data"], Json::object());
}

TEST(CommandReplyJsonTest, ErrorShape) {
  engine::CommandReply reply;
  reply.ok = false;
  reply.transaction = "t-6";
  reply.error = engine::ErrorCode::TargetUnhealthy;
  reply.message = "green-backup is not healthy";
  const Json json = commandReplyJson(reply, kBase);
  EXPECT_EQ(json["status"], "error");
  EXPECT_EQ(json["code"], "target_unhealthy");
  EXPECT_EQ(json["error"], "green-backup is not healthy");
  EXPECT_EQ(json["transaction"], "t-6");

  const Json direct = errorReplyJson(std::nullopt, "bad_request", "payload is not valid JSON");
  EXPECT_EQ(keysOf(direct), (std::set<std::string>{"status", "code", "error", "transaction"}));
  EXPECT_EQ(direct["status"], "error");
  EXPECT_EQ(direct["code"], "bad_request");
  EXPECT_EQ(direct["error"], "payload is not valid JSON");
  EXPECT_TRUE(direct["transaction"].is_null());
}

TEST(RouterStatusJsonTest, HasTheContractFields) {
  RouterStatus status;
  status.id = "vh1";
  status.connected = true;
  status.state = "ready";
  status.address = "127.0.0.1:9990";
  status.model = "Blackmagic Smart Videohub 40 x 40";
  status.inputs = 40;
  status.outputs = 40;
  status.locked_outputs = {3, 7};
  const Json json = routerStatusJson(status);
  for (const std::string key :
       {"connected", "enabled", "address", "model", "friendly_name", "protocol", "inputs",
        "outputs", "locked_outputs", "state", "reason"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["connected"], true);
  EXPECT_EQ(json["inputs"], 40);
  EXPECT_EQ(json["locked_outputs"], (Json{3, 7}));
  EXPECT_EQ(json["state"], "ready");
}

}  // namespace
}  // namespace failover::daemon
