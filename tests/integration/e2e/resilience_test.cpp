// The node's peers going away and coming back while it runs (SPEC 7): the broker, the router
// and the node itself.

#include <signal.h>

#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "lab.h"

namespace failover::e2e {
namespace {

bool routerStateIs(const std::string& payload, const std::string& state) {
  auto json = parseJson(payload);
  return json && json->value("state", "") == state;
}

TEST(ResilienceTest, BrokerRestartReconnectsRepublishesAndStillFailsOver) {
  LabOptions options;
  options.reconnect_grace_ms = 500;
  Lab lab(options);
  lab.start();

  lab.broker().stop();
  // While the broker is away every check looks stale to the node; nothing may switch. There
  // is no message to await while the bus is down: give it several staleness periods.
  std::this_thread::sleep_for(900ms);
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kMainInput);

  ASSERT_TRUE(lab.broker().start());
  lab.reconnectClients();  // a fresh observer sees only what the node republished
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "online", 10000ms))
      << "the node did not come back online";
  EXPECT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) { return routerStateIs(p, "ready"); }, kEventTimeout))
      << "router state not republished";
  EXPECT_TRUE(lab.bus().waitLatest(
      Lab::topic("node/info"), [](const std::string& p) { return parseJson(p).has_value(); },
      kEventTimeout))
      << "node info not republished";
  ASSERT_TRUE(lab.waitState([](const Json& s) {
    return s.value("active", Json()) == kMain && s["machines"][kBackup].value("healthy", false);
  })) << "pair state not republished";
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput) << "switched while the broker was away";

  // Resubscribed: a failure after the reconnect still switches (after the reconnect grace).
  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover after the broker came back";
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
}

TEST(ResilienceTest, AMainStillFailingWhenTheRouterReturnsIsSwitchedThen) {
  Lab lab;
  lab.start();
  lab.stopRouter();
  ASSERT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) { return routerStateIs(p, "disconnected"); }, kEventTimeout))
      << lab.bus().latest(Lab::topic("router/vh1/state")).value_or("(none)");

  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  // Nothing is decided while the router is away: the pair shows the failing Main and why
  // nothing moves; it is decided afresh when the router returns.
  const auto waiting = lab.waitState([](const Json& s) {
    return s["machines"][kMain].value("status", "") == "fail" &&
           hasWarning(s, "router_disconnected");
  });
  ASSERT_TRUE(waiting) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  EXPECT_FALSE((*waiting)["router"].value("connected", true));
  EXPECT_EQ(waiting->value("failover", ""), "degraded") << waiting->dump();

  lab.startRouter();
  EXPECT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) { return routerStateIs(p, "ready"); }, 10000ms))
      << "the router never showed ready again";
  const auto event = lab.waitEvent(mark, "failover", 10000ms);
  ASSERT_TRUE(event) << "the failover was not applied after the router returned";
  EXPECT_EQ(event->value("to", ""), kBackup);
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kBackup, kEventTimeout));
}

TEST(ResilienceTest, RouterReturningWithOtherRoutingIsAnExternalSwitch) {
  Lab lab;
  lab.start();
  lab.stopRouter();
  ASSERT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) { return routerStateIs(p, "disconnected"); }, kEventTimeout));

  // Someone took the pair to the Backup while the node could not see the router.
  const auto mark = lab.bus().mark();
  lab.startRouter({{kOutputA, kBackupInput}, {kOutputB, kBackupInput}});
  const auto event = lab.waitEvent(mark, "external_switch", 10000ms);
  ASSERT_TRUE(event) << "no external_switch after the router returned with other routing";
  EXPECT_EQ(event->value("from", Json()), kMain);
  EXPECT_EQ(event->value("to", Json()), kBackup);
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kBackup, kEventTimeout));
  // The router is the truth: the node follows it and does not route the Main back.
  for (const auto& payload : lab.bus().collect(mark, Lab::pairTopic("event"), 500ms)) {
    EXPECT_EQ(parseJson(payload).value_or(Json::object()).value("event_type", ""),
              "external_switch")
        << payload;
  }
  EXPECT_EQ(lab.routes().at(kOutputA), kBackupInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kBackupInput);
}

TEST(ResilienceTest, KilledNodeLeavesItsWillAndRestartsWithoutSwitching) {
  LabOptions options;
  options.startup_grace_ms = 500;
  Lab lab(options);
  lab.start();
  // Put the Backup on air first, so a restart that "restored" anything would show.
  auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("set/active"), kBackup);
  ASSERT_TRUE(lab.waitEvent(mark, "manual_switch"));
  ASSERT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));

  lab.killNode(SIGKILL);
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "offline", kEventTimeout))
      << "no last will after SIGKILL";

  mark = lab.bus().mark();
  lab.startNode();
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "online", kEventTimeout));
  // It reads the routing: the Backup is on air, and stays there.
  const auto state = lab.waitState([](const Json& s) {
    return s.value("active", Json()) == kBackup && s.value("failover", "") == "active" &&
           s["machines"][kMain].value("healthy", false);
  });
  ASSERT_TRUE(state) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  // Past the start-up grace, nothing switched and no switch event was sent.
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 900ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kBackupInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kBackupInput);
}

TEST(ResilienceTest, RunTimeSettingsSurviveARestart) {
  Lab lab;
  lab.start();
  lab.publish(Lab::pairTopic("set/mode"), "manual");
  lab.publish(Lab::pairTopic("set/armed"), "OFF");
  ASSERT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("mode"), "manual", kEventTimeout));
  ASSERT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("armed"), "OFF", kEventTimeout));

  lab.killNode(SIGTERM);
  ASSERT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "offline", kEventTimeout));
  const auto mark = lab.bus().mark();
  lab.startNode();
  // The restarted node publishes its state afresh, from the saved settings.
  const auto state = lab.bus().waitAfter(
      mark, Lab::pairTopic("state"), [](const std::string& p) { return parseJson(p).has_value(); },
      kEventTimeout);
  ASSERT_TRUE(state) << "no pair state after the restart";
  const auto json = parseJson(*state);
  EXPECT_EQ(json->value("mode", ""), "manual") << *state;
  EXPECT_EQ(json->value("armed", true), false) << *state;
}

TEST(ResilienceTest, NodeStartedWhileTheRouterIsDownWaitsForItsRouting) {
  Lab lab;
  lab.start();
  lab.killNode(SIGTERM);
  lab.stopRouter();

  auto mark = lab.bus().mark();
  lab.startNode();
  ASSERT_TRUE(lab.bus().waitAfter(
      mark, Lab::topic("node/state"), [](const std::string& p) { return p == "online"; },
      kEventTimeout));
  // Without the router nobody knows which machine is on air: the pair says so.
  const auto unknown = lab.bus().waitAfter(
      mark, Lab::pairTopic("state"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && (*json)["active"].is_null() && !(*json)["router"].value("connected", true);
      },
      kEventTimeout);
  EXPECT_TRUE(unknown) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");

  mark = lab.bus().mark();
  lab.startRouter();
  const auto known = lab.waitState([](const Json& s) {
    return s.value("active", Json()) == kMain && s.value("failover", "") == "idle";
  });
  EXPECT_TRUE(known) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  // Learning the routing is not a switch.
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 500ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
}

// With write_labels the router's panel names the machines; the labels are read back the way
// an engineer would, with --test-connection.
TEST(ResilienceTest, WriteLabelsPutsTheMachineLabelsOnTheRouter) {
  LabOptions options;
  options.write_labels = true;
  Lab lab(options);
  lab.start();
  const std::string address = "127.0.0.1:" + std::to_string(lab.routerPort());
  std::string output;
  for (int attempt = 0; attempt < 50; ++attempt) {
    testing::ChildProcess check(
        {testing::binaryPath("failover-node"), "--test-connection", address, "--json"});
    output = check.readLine(5000ms).value_or("");
    check.waitForExit(5000ms);
    if (output.find(R"({"input":1,"label":"Green Main"})") != std::string::npos &&
        output.find(R"({"input":2,"label":"Green Backup"})") != std::string::npos) {
      break;
    }
  }
  EXPECT_NE(output.find(R"({"input":1,"label":"Green Main"})"), std::string::npos) << output;
  EXPECT_NE(output.find(R"({"input":2,"label":"Green Backup"})"), std::string::npos) << output;
  EXPECT_NE(output.find(R"({"input":3,"label":"Input 3"})"), std::string::npos)
      << "inputs of no machine are left alone: " << output;
}

}  // namespace
}  // namespace failover::e2e
