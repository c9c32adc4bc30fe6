// The audit trail end to end: failover-node writes one JSON line to its audit_log for each
// switch (manual, automatic, failed, refused), each changed setting (mode, armed, router
// enabled), and its start and stop; who asked comes from the payload's requested_by, else the
// MQTT 5 user property requested_by, else "mqtt". The lines are read from the file the node
// writes, parsed as JSON.

#include <csignal>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using Match = std::function<bool(const Json&)>;

// Every line of the audit trail so far; a line that is not a JSON object fails the test.
std::vector<Json> auditLines(const Lab& lab) {
  std::ifstream file(lab.auditLogPath());
  std::vector<Json> lines;
  for (std::string text; std::getline(file, text);) {
    auto json = parseJson(text);
    if (!json) {
      ADD_FAILURE() << "not a JSON object in the audit trail: " << text;
      continue;
    }
    lines.push_back(std::move(*json));
  }
  return lines;
}

// Polls the audit trail (written off the node's io thread, a moment after the event) for a
// line of `event_type` that satisfies `match`.
std::optional<Json> waitAuditLine(
    const Lab& lab, const std::string& event_type,
    const Match& match = [](const Json&) { return true; }) {
  const auto deadline = Clock::now() + kEventTimeout;
  while (true) {
    for (const auto& line : auditLines(lab)) {
      if (line.value("event_type", "") == event_type && match(line)) {
        return line;
      }
    }
    if (Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Match transactionIs(const std::string& transaction) {
  return [transaction](const Json& line) {
    return line.value("transaction", Json()) == transaction;
  };
}

// The members every line has, whatever its type.
void expectCommonMembers(const Json& line) {
  for (const char* key : {"ts", "node_id", "event_type", "pair", "router", "from", "to", "reason",
                          "requested_by", "transaction", "result"}) {
    EXPECT_TRUE(line.contains(key)) << key << " missing in " << line.dump();
  }
  EXPECT_EQ(line.value("node_id", ""), "fo1");
  const std::string ts = line.value("ts", "");
  EXPECT_EQ(ts.size(), 24u) << ts;  // 2026-11-25T10:15:30.123Z
  EXPECT_EQ(ts.empty() ? ' ' : ts.back(), 'Z') << ts;
}

testing::MqttPublishOptions requestedBy(const std::string& who) {
  testing::MqttPublishOptions options;
  options.user_properties = {{"requested_by", who}};
  return options;
}

TEST(AuditTrailTest, ManualSwitchSettingsStartAndStopAreAudited) {
  Lab lab;
  lab.start();
  const auto start = waitAuditLine(lab, "node_start");
  ASSERT_TRUE(start) << "no node_start line";
  expectCommonMembers(*start);
  EXPECT_FALSE(start->value("version", "").empty()) << start->dump();
  EXPECT_FALSE(start->value("config_hash", "").empty()) << start->dump();

  // A switch request naming who asked in the MQTT 5 user property only.
  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"green-backup","transaction":"a1"})",
              requestedBy("ops:ana"));
  const auto event = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(event) << "no switch event";
  EXPECT_EQ(event->value("requested_by", Json()), "ops:ana") << event->dump();
  const auto manual = waitAuditLine(lab, "manual_switch", transactionIs("a1"));
  ASSERT_TRUE(manual) << "no manual_switch line";
  expectCommonMembers(*manual);
  EXPECT_EQ(manual->value("pair", Json()), kPair);
  EXPECT_EQ(manual->value("router", Json()), "vh1");
  EXPECT_EQ(manual->value("from", Json()), kMain);
  EXPECT_EQ(manual->value("to", Json()), kBackup);
  EXPECT_EQ(manual->value("reason", ""), "manual");
  EXPECT_EQ(manual->value("requested_by", Json()), "ops:ana");
  EXPECT_EQ(manual->value("result", ""), "ok");

  // The payload's requested_by wins over the user property.
  lab.publish(Lab::pairTopic("set"),
              R"({"mode":"manual","requested_by":"dashboard","transaction":"m1"})",
              requestedBy("ops:ana"));
  const auto mode = waitAuditLine(lab, "mode", transactionIs("m1"));
  ASSERT_TRUE(mode) << "no mode line";
  expectCommonMembers(*mode);
  EXPECT_EQ(mode->value("pair", Json()), kPair);
  EXPECT_EQ(mode->value("from", Json()), "auto");
  EXPECT_EQ(mode->value("to", Json()), "manual");
  EXPECT_EQ(mode->value("requested_by", Json()), "dashboard");

  // A plain payload names no one: "mqtt".
  lab.publish(Lab::pairTopic("set/armed"), "OFF");
  const auto armed = waitAuditLine(lab, "armed");
  ASSERT_TRUE(armed) << "no armed line";
  expectCommonMembers(*armed);
  EXPECT_EQ(armed->value("to", Json()), "OFF");
  EXPECT_EQ(armed->value("requested_by", Json()), "mqtt");

  lab.publish(Lab::topic("router/vh1/set/enabled"), "OFF", requestedBy("ops:ben"));
  const auto disabled = waitAuditLine(lab, "router_enabled");
  ASSERT_TRUE(disabled) << "no router_enabled line";
  expectCommonMembers(*disabled);
  EXPECT_EQ(disabled->value("pair", Json()), nullptr);
  EXPECT_EQ(disabled->value("router", Json()), "vh1");
  EXPECT_EQ(disabled->value("from", Json()), "ON");
  EXPECT_EQ(disabled->value("to", Json()), "OFF");
  EXPECT_EQ(disabled->value("requested_by", Json()), "ops:ben");

  // The counters follow on B/node/stats (refreshed every few seconds while messages flow).
  const auto stats = lab.bus().waitLatest(
      Lab::topic("node/stats"),
      [](const std::string& payload) {
        const auto json = parseJson(payload);
        return json && json->value("audit_records_written", 0) >= 5;
      },
      std::chrono::milliseconds(6000));
  ASSERT_TRUE(stats) << lab.bus().latest(Lab::topic("node/stats")).value_or("(no stats)");
  const auto counters = parseJson(*stats);
  EXPECT_EQ(counters->value("audit_records_dropped", -1), 0);
  EXPECT_EQ(counters->value("audit_write_errors", -1), 0);

  lab.killNode(SIGTERM);
  const auto stop = waitAuditLine(lab, "node_stop");
  ASSERT_TRUE(stop) << "no node_stop line";
  expectCommonMembers(*stop);
  EXPECT_EQ(stop->value("reason", ""), "signal 15");
}

TEST(AuditTrailTest, AutomaticFailoverAndASwitchRefusedForALostRouterAreAudited) {
  Lab lab;
  lab.start();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  const auto failover = waitAuditLine(lab, "failover");
  ASSERT_TRUE(failover) << "no failover line";
  expectCommonMembers(*failover);
  EXPECT_EQ(failover->value("from", Json()), kMain);
  EXPECT_EQ(failover->value("to", Json()), kBackup);
  EXPECT_EQ(failover->value("reason", ""), "health");
  EXPECT_EQ(failover->value("requested_by", Json()), nullptr);
  EXPECT_EQ(failover->value("result", ""), "ok");
  ASSERT_TRUE(failover->contains("trigger")) << failover->dump();
  EXPECT_EQ((*failover)["trigger"].value("machine", ""), kMain);

  lab.stopRouter();
  ASSERT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& payload) {
        const auto json = parseJson(payload);
        return json && !json->value("connected", true);
      },
      kEventTimeout));
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"green-main","transaction":"r1"})",
              requestedBy("ops:ana"));
  const auto refused = waitAuditLine(lab, "switch_failed", transactionIs("r1"));
  ASSERT_TRUE(refused) << "no switch_failed line for the refused request";
  expectCommonMembers(*refused);
  EXPECT_EQ(refused->value("result", ""), "refused");
  EXPECT_EQ(refused->value("to", Json()), kMain);
  EXPECT_EQ(refused->value("requested_by", Json()), "ops:ana");
  ASSERT_TRUE(refused->contains("error")) << refused->dump();
  EXPECT_EQ((*refused)["error"].value("code", ""), "router_disconnected");
}

TEST(AuditTrailTest, FailoverTheRouterRefusesIsAuditedAsFailed) {
  Lab lab;
  lab.start();
  ASSERT_EQ(lab.sim("lock 2 127.0.0.9"), "ok");  // another panel holds output 2
  ASSERT_TRUE(lab.waitState([](const Json& state) { return hasWarning(state, "output_locked"); }));
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  const auto failed = waitAuditLine(lab, "switch_failed");
  ASSERT_TRUE(failed) << "no switch_failed line";
  expectCommonMembers(*failed);
  EXPECT_EQ(failed->value("result", ""), "failed");
  EXPECT_EQ(failed->value("attempted", ""), "failover");
  EXPECT_EQ(failed->value("to", Json()), kBackup);
  ASSERT_TRUE(failed->contains("error")) << failed->dump();
  EXPECT_EQ((*failed)["error"].value("code", ""), "not_allowed");
}

TEST(AuditTrailTest, ReloadsAreAuditedAppliedOrRefused) {
  Lab lab;
  lab.start();
  // The same file again: applied, with nothing added or removed.
  lab.publish(Lab::topic("node/request/reload"), R"({"transaction":"r1"})", requestedBy("ops:ben"));
  const auto applied = waitAuditLine(lab, "reload", transactionIs("r1"));
  ASSERT_TRUE(applied) << "no reload line";
  expectCommonMembers(*applied);
  EXPECT_EQ(applied->value("result", ""), "ok") << applied->dump();
  EXPECT_EQ(applied->value("requested_by", Json()), "ops:ben") << applied->dump();

  {
    std::ofstream file(lab.configPath(), std::ios::trunc);
    file << "node_id: fo1\npairs:\n  green: { router: vh1\n";
  }
  lab.publish(Lab::topic("node/request/reload"), R"({"transaction":"r2"})");
  const auto refused = waitAuditLine(lab, "reload", transactionIs("r2"));
  ASSERT_TRUE(refused) << "no line for the refused reload";
  EXPECT_EQ(refused->value("result", ""), "failed") << refused->dump();
  EXPECT_NE(refused->value("reason", "").find("config.yaml:"), std::string::npos)
      << "the reason names the error's place: " << refused->dump();
  EXPECT_EQ(refused->value("requested_by", Json()), "mqtt");
}

}  // namespace
}  // namespace failover::e2e
