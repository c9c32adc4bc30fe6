// Operators' commands and other clients of the router, end to end: a switch requested over
// MQTT is answered once the router confirms it; a route changed at the router by someone
// else is reported, and the node follows it instead of fighting it.

#include <optional>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

// The next response on response/<command> after history position `from`, parsed.
std::optional<Json> waitResponse(Lab& lab, size_t from, const std::string& command) {
  const auto payload = lab.bus().waitAfter(
      from, Lab::pairTopic("response/" + command), [](const std::string&) { return true; },
      kEventTimeout);
  if (!payload) {
    return std::nullopt;
  }
  return parseJson(*payload);
}

TEST(CommandTest, SwitchRequestIsAnsweredAfterTheRouterConfirms) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"),
              R"({"target":"green-backup","force":false,"transaction":"tx-42"})");

  const auto response = lab.bus().waitAfter(
      mark, Lab::pairTopic("response/switch"), [](const std::string&) { return true; },
      kEventTimeout);
  ASSERT_TRUE(response) << "no response to the switch request";
  // The answer comes after the router confirmed: the routing shows it already.
  const auto routes = lab.routes();
  EXPECT_EQ(routes.at(kOutputA), kBackupInput);
  EXPECT_EQ(routes.at(kOutputB), kBackupInput);

  const auto json = parseJson(*response);
  ASSERT_TRUE(json) << *response;
  EXPECT_EQ(json->value("status", ""), "ok") << *response;
  EXPECT_EQ(json->value("transaction", Json()), "tx-42");

  const auto event = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->value("from", ""), kMain);
  EXPECT_EQ(event->value("to", ""), kBackup);
  EXPECT_EQ(event->value("transaction", Json()), "tx-42");
  EXPECT_EQ(event->value("result", ""), "ok");
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kBackup, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("failover"), "active", kEventTimeout));
}

TEST(CommandTest, SwitchRequestToAnUnknownTargetIsRefused) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"nobody","transaction":"tx-7"})");
  const auto response = lab.bus().waitAfter(
      mark, Lab::pairTopic("response/switch"), [](const std::string&) { return true; },
      kEventTimeout);
  ASSERT_TRUE(response);
  const auto json = parseJson(*response);
  ASSERT_TRUE(json) << *response;
  EXPECT_EQ(json->value("status", ""), "error");
  EXPECT_EQ(json->value("code", ""), "unknown_target");
  EXPECT_EQ(json->value("transaction", Json()), "tx-7");
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
}

TEST(CommandTest, SetActiveSwitchesAndBack) {
  Lab lab;
  lab.start();
  auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("set/active"), kBackup);
  auto event = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(event) << "no manual_switch event";
  EXPECT_EQ(event->value("to", ""), kBackup);
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kBackup, kEventTimeout));

  mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("set/active"), kMain);
  event = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(event) << "no manual_switch event back to the Main";
  EXPECT_EQ(event->value("to", ""), kMain);
  EXPECT_TRUE(lab.waitPairRoutedTo(kMainInput, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kMain, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("failover"), "idle", kEventTimeout));
}

TEST(CommandTest, RouteChangedByAnotherClientIsAnExternalSwitch) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  // Someone at the front panel takes both outputs to the Backup.
  ASSERT_EQ(lab.sim("route 1 2"), "ok");
  ASSERT_EQ(lab.sim("route 2 2"), "ok");

  const auto event = lab.bus().waitAfter(
      mark, Lab::pairTopic("event"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && json->value("event_type", "") == "external_switch" &&
               json->value("to", Json()) == kBackup;
      },
      kEventTimeout);
  ASSERT_TRUE(event) << "no external_switch event to the Backup";
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kBackup, kEventTimeout));
  // The node follows the router; it does not switch back.
  for (const auto& payload : lab.bus().collect(mark, Lab::pairTopic("event"), 500ms)) {
    const auto json = parseJson(payload);
    ASSERT_TRUE(json) << payload;
    EXPECT_EQ(json->value("event_type", ""), "external_switch") << payload;
  }
  EXPECT_EQ(lab.routes().at(kOutputA), kBackupInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kBackupInput);
}

TEST(CommandTest, SetJsonAndSwapSwitch) {
  Lab lab;
  lab.start();
  auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("set"), R"({"active":"green-backup","transaction":"set-1"})");
  auto event = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(event) << "no manual_switch after set {active}";
  EXPECT_EQ(event->value("to", ""), kBackup);
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));

  mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("set/swap"), "PRESS");
  event = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(event) << "no manual_switch after set/swap";
  EXPECT_EQ(event->value("to", ""), kMain);
  EXPECT_TRUE(lab.waitPairRoutedTo(kMainInput, kEventTimeout));
}

TEST(CommandTest, SwitchToAnUnhealthyTargetNeedsForce) {
  // In auto mode a failing Backup on air is replaced by the healthy Main as soon as the
  // minimum dwell allows: a long dwell keeps the forced switch on air for the assertions.
  LabOptions options;
  options.min_dwell_ms = 60000;
  Lab lab(options);
  lab.start();
  lab.health().set(kBackup, "videoio", R"({"status":"fail","detail":"no signal"})");
  ASSERT_TRUE(
      lab.waitState([](const Json& s) { return !s["machines"][kBackup].value("healthy", true); }));

  auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"green-backup","transaction":"u1"})");
  auto response = waitResponse(lab, mark, "switch");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->value("status", ""), "error");
  EXPECT_EQ(response->value("code", ""), "target_unhealthy");
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);

  mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"),
              R"({"target":"green-backup","force":true,"transaction":"u2"})");
  response = waitResponse(lab, mark, "switch");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->value("status", ""), "ok") << response->dump();
  EXPECT_EQ(response->value("transaction", Json()), "u2");
  const auto routes = lab.routes();
  EXPECT_EQ(routes.at(kOutputA), kBackupInput);
  EXPECT_EQ(routes.at(kOutputB), kBackupInput);
}

TEST(CommandTest, SwitchWhileTheRouterIsDownIsRefused) {
  Lab lab;
  lab.start();
  lab.stopRouter();
  ASSERT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && !json->value("connected", true);
      },
      kEventTimeout));
  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"green-backup","transaction":"r1"})");
  const auto response = waitResponse(lab, mark, "switch");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->value("status", ""), "error");
  EXPECT_EQ(response->value("code", ""), "router_disconnected") << response->dump();
  EXPECT_EQ(response->value("transaction", Json()), "r1");
}

TEST(CommandTest, ManualModeOnlyAdvises) {
  Lab lab;
  lab.start();
  auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/set_mode"), R"({"mode":"manual","transaction":"m1"})");
  auto response = waitResponse(lab, mark, "set_mode");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->value("status", ""), "ok") << response->dump();
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("mode"), "manual", kEventTimeout));

  mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("switch_advised"), "ON", kEventTimeout));
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 600ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kMainInput);

  // The operator follows the advice.
  mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("set/active"), kBackup);
  ASSERT_TRUE(lab.waitEvent(mark, "manual_switch"));
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("switch_advised"), "OFF", kEventTimeout));
}

TEST(CommandTest, DisarmedPairDoesNotSwitchUntilArmed) {
  Lab lab;
  lab.start();
  auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/disarm"), R"({"transaction":"d1"})");
  auto response = waitResponse(lab, mark, "disarm");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->value("status", ""), "ok") << response->dump();
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("armed"), "OFF", kEventTimeout));

  mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 600ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);

  // Armed again with the Main still failing: the failover happens at once.
  lab.publish(Lab::pairTopic("set/armed"), "ON");
  ASSERT_TRUE(lab.waitEvent(mark, "failover")) << "no failover after arming";
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
}

}  // namespace
}  // namespace failover::e2e
