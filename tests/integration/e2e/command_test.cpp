// Operators' commands and other clients of the router, end to end: a switch requested over
// MQTT is answered once the router confirms it; a route changed at the router by someone
// else is reported, and the node follows it instead of fighting it.

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

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

}  // namespace
}  // namespace failover::e2e
