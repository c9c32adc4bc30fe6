// Router enable over MQTT, end to end: an operator disables the router on
// B/router/<r>/set/enabled and the node leaves it alone (it closes its connection, the router
// state says disabled, the pair warns router_disabled and a switch is refused); the setting
// survives a restart of the node through the state file; enabled again, the node reconnects
// and switches.

#include <csignal>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string routerTopic(const std::string& leaf) {
  return Lab::topic("router/vh1/" + leaf);
}

// The first message on `topic` after history position `from` that parses and matches.
std::optional<Json> waitJsonAfter(Lab& lab, size_t from, const std::string& topic,
                                  const std::function<bool(const Json&)>& match) {
  const auto payload = lab.bus().waitAfter(
      from, topic,
      [&](const std::string& text) {
        const auto json = parseJson(text);
        return json && match(*json);
      },
      kEventTimeout);
  return payload ? parseJson(*payload) : std::nullopt;
}

bool disabled(const Json& router) {
  return router.value("enabled", true) == false && router.value("state", "") == "disabled" &&
         router.value("connected", true) == false;
}

// Polls the simulator until it counts `count` client connections.
bool waitRouterClients(Lab& lab, int count) {
  const auto deadline = Clock::now() + kEventTimeout;
  const std::string wanted = "ok " + std::to_string(count);
  while (lab.sim("clients") != wanted) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Polls the state file until it says whether vh1 is enabled, or (nullopt) no longer names vh1
// because its setting is back at the YAML's value; it is written off the node's io thread, a
// moment after the change.
bool waitSavedEnabled(Lab& lab, std::optional<bool> enabled) {
  const auto deadline = Clock::now() + kEventTimeout;
  while (true) {
    std::ifstream file(lab.directory() / "state.json");
    std::stringstream text;
    text << file.rdbuf();
    const auto json = parseJson(text.str());
    const Json routers = json ? json->value("routers", Json::object()) : Json();
    if (json && !enabled && !routers.contains("vh1")) {
      return true;
    }
    if (json && enabled && routers.contains("vh1") &&
        routers["vh1"].value("enabled", !*enabled) == *enabled) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A switch request to the Backup, and its answer.
std::optional<Json> requestSwitch(Lab& lab, const std::string& transaction) {
  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"),
              R"({"target":"green-backup","transaction":")" + transaction + R"("})");
  return waitJsonAfter(lab, mark, Lab::pairTopic("response/switch"),
                       [](const Json&) { return true; });
}

TEST(RouterEnableTest, DisabledRouterIsLeftAloneAcrossARestartAndSwitchesWhenEnabledAgain) {
  Lab lab;
  lab.start();
  ASSERT_TRUE(waitRouterClients(lab, 1));

  // OFF: the node lets go of the router.
  auto mark = lab.bus().mark();
  lab.publish(routerTopic("set/enabled"), "OFF");
  auto router = waitJsonAfter(lab, mark, routerTopic("state"), disabled);
  ASSERT_TRUE(router) << lab.bus().latest(routerTopic("state")).value_or("(none)");
  EXPECT_TRUE(waitRouterClients(lab, 0)) << "the node still holds a router connection";
  const auto audit =
      waitJsonAfter(lab, mark, routerTopic("audit"), [](const Json&) { return true; });
  ASSERT_TRUE(audit) << "no audit of the change";
  EXPECT_EQ(audit->value("setting", ""), "router_enabled");
  EXPECT_EQ(audit->value("router", ""), "vh1");
  EXPECT_EQ(audit->value("from", ""), "ON");
  EXPECT_EQ(audit->value("to", ""), "OFF");
  EXPECT_EQ(audit->value("requested_by", Json()), "mqtt");
  EXPECT_TRUE(lab.waitState([](const Json& s) { return hasWarning(s, "router_disabled"); }))
      << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  const auto refused = requestSwitch(lab, "tx-off");
  ASSERT_TRUE(refused) << "no answer to a switch while the router is disabled";
  EXPECT_EQ(refused->value("status", ""), "error");
  EXPECT_EQ(refused->value("code", ""), "not_allowed");
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
  EXPECT_TRUE(waitSavedEnabled(lab, false)) << "the state file does not say vh1 is disabled";

  // A restarted node reads the state file and stays away from the router.
  lab.killNode(SIGTERM);
  ASSERT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "offline", kEventTimeout));
  mark = lab.bus().mark();
  lab.startNode();
  ASSERT_TRUE(lab.bus().waitAfter(
      mark, Lab::topic("node/state"), [](const std::string& p) { return p == "online"; },
      kEventTimeout));
  router = waitJsonAfter(lab, mark, routerTopic("state"), disabled);
  ASSERT_TRUE(router) << lab.bus().latest(routerTopic("state")).value_or("(none)");
  EXPECT_TRUE(waitJsonAfter(lab, mark, Lab::pairTopic("state"),
                            [](const Json& s) { return hasWarning(s, "router_disabled"); }));
  for (const auto& payload : lab.bus().collect(mark, routerTopic("state"), 300ms)) {
    const auto json = parseJson(payload);
    ASSERT_TRUE(json) << payload;
    EXPECT_TRUE(disabled(*json)) << payload;
  }
  EXPECT_EQ(lab.sim("clients"), "ok 0") << "the restarted node connected to a disabled router";

  // ON, in the JSON form with who asked: the node connects and switches again.
  mark = lab.bus().mark();
  lab.publish(routerTopic("set/enabled"),
              R"({"enabled":true,"requested_by":"e2e-operator","transaction":"en-1"})");
  router = waitJsonAfter(lab, mark, routerTopic("state"), [](const Json& r) {
    return r.value("enabled", false) && r.value("connected", false) &&
           r.value("state", "") == "ready";
  });
  ASSERT_TRUE(router) << lab.bus().latest(routerTopic("state")).value_or("(none)");
  const auto enabled_audit = waitJsonAfter(lab, mark, routerTopic("audit"),
                                           [](const Json& a) { return a.value("to", "") == "ON"; });
  ASSERT_TRUE(enabled_audit);
  EXPECT_EQ(enabled_audit->value("requested_by", Json()), "e2e-operator");
  EXPECT_EQ(enabled_audit->value("transaction", Json()), "en-1");
  const auto ready = lab.waitState([](const Json& s) {
    return !hasWarning(s, "router_disabled") && s.value("active", Json()) == kMain &&
           s.value("failover", "") == "idle";
  });
  ASSERT_TRUE(ready) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  EXPECT_TRUE(waitSavedEnabled(lab, std::nullopt))
      << "the state file still names vh1, enabled again as the YAML has it";
  const auto answer = requestSwitch(lab, "tx-on");
  ASSERT_TRUE(answer) << "no answer to a switch once the router is enabled";
  EXPECT_EQ(answer->value("status", ""), "ok") << answer->dump();
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
}

}  // namespace
}  // namespace failover::e2e
