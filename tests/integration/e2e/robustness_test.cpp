// Bad input and the process's own life cycle: garbage on every topic the node reads, a bad
// configuration file, and an orderly stop.

#include <signal.h>

#include <fstream>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "lab.h"

namespace failover::e2e {
namespace {

TEST(RobustnessTest, GarbageOnEveryInputTopicIsCountedAndSurvived) {
  Lab lab;
  lab.start();
  const auto big = lab.directory() / "big.payload";
  {
    std::ofstream file(big, std::ios::binary);
    file << std::string(1024 * 1024, '{');
  }
  const std::vector<std::string> garbage{"{not json",          R"({"status":42})",
                                         R"(["ok"])",          R"({"status":"sideways"})",
                                         "\xff\xfe not utf-8", "",
                                         R"({"status":null})", "banana"};
  for (const char* topic :
       {"render/green-main/engine", "render/green-backup/videoio", "render/green-main/network",
        "diagnostics/green-main/health", "render/green-backup/status"}) {
    for (const auto& payload : garbage) {
      lab.publish(topic, payload);
    }
    lab.publishFile(topic, big);
  }
  // A machine the node does not know, and commands that make no sense.
  lab.publish("render/unknown-machine/engine", R"({"status":"fail"})");
  lab.publish(Lab::pairTopic("set"), "{");
  lab.publish(Lab::pairTopic("set"), R"({"active":42})");
  lab.publish(Lab::pairTopic("set/active"), "nobody");
  lab.publish(Lab::pairTopic("set/mode"), "sideways");
  lab.publish(Lab::pairTopic("request/switch"), "garbage");
  lab.publish(Lab::pairTopic("request/unknown"), "{}");
  lab.publish("failover/fo1/pair/nopair/request/get_state", "{}");
  lab.publishFile(Lab::pairTopic("request/switch"), big);

  // Still alive and answering.
  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/get_state"), R"({"transaction":"after-garbage"})");
  const auto response = lab.bus().waitAfter(
      mark, Lab::pairTopic("response/get_state"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && json->value("transaction", Json()) == "after-garbage";
      },
      kEventTimeout);
  ASSERT_TRUE(response) << "no answer to get_state after the garbage";
  EXPECT_EQ(parseJson(*response)->value("status", ""), "ok") << *response;
  EXPECT_TRUE(lab.node().running());

  // Nothing switched and the machines are still healthy: garbage is not a heartbeat, and not
  // a failure either.
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
  EXPECT_EQ(lab.bus().latest(Lab::pairTopic("active")), kMain);

  // The rejected payloads are counted on B/node/stats.
  const auto stats = lab.bus().waitLatest(
      Lab::topic("node/stats"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && json->contains("rejected") && (*json)["rejected"].is_object() &&
               !(*json)["rejected"].empty();
      },
      kEventTimeout);
  ASSERT_TRUE(stats) << "B/node/stats never counted a rejected payload; last: "
                     << lab.bus().latest(Lab::topic("node/stats")).value_or("(none)");
  const auto json = parseJson(*stats);
  EXPECT_GT(json->value("health_messages", 0), 0);
  // And logged.
  EXPECT_NE(lab.nodeLog().find("ignored payload"), std::string::npos);
}

// B/node/stats (retained) is refreshed every few seconds while messages arrive, so counters
// such as unknown_topics (a health topic of a machine the node does not know) reach the bus.
TEST(RobustnessTest, NodeStatsArePublishedEveryFewSeconds) {
  Lab lab;
  lab.start();
  lab.publish("render/unknown-machine/engine", R"({"status":"ok"})");
  const auto stats = lab.bus().waitLatest(
      Lab::topic("node/stats"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && json->value("unknown_topics", 0) >= 1;
      },
      6000ms);
  ASSERT_TRUE(stats) << lab.bus().latest(Lab::topic("node/stats")).value_or("(none)");
  // The bus's counters: the node has connected and published its state.
  const auto json = parseJson(*stats);
  ASSERT_TRUE(json && json->contains("mqtt")) << *stats;
  EXPECT_GE((*json)["mqtt"].value("connects", 0), 1) << *stats;
  EXPECT_GE((*json)["mqtt"].value("published", 0), 10) << *stats;
  EXPECT_EQ((*json)["mqtt"].value("refused", -1), 0) << *stats;
}

// A command someone left retained on the broker (sent while the node was down) would act on
// every restart: after a restart nothing switches and nothing is answered.
void expectRetainedCommandsIgnored(Lab& lab) {
  lab.killNode(SIGTERM);
  ASSERT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "offline", kEventTimeout));
  lab.publish(Lab::pairTopic("set/active"), kBackup, true);
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"green-backup"})", true);

  const auto mark = lab.bus().mark();
  lab.startNode();
  ASSERT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "online", kEventTimeout));
  // Past the start-up grace (300 ms) nothing switched and nothing answered.
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 800ms).empty());
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("response/switch"), 0ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kMainInput);
}

TEST(RobustnessTest, RetainedCommandIsNotObeyedOnRestartMqtt5) {
  LabOptions options;
  options.startup_grace_ms = 300;
  Lab lab(options);
  lab.start();
  // With MQTT 5 the node subscribes to commands with "do not send retained": the broker
  // never delivers them, so there is nothing to count either.
  expectRetainedCommandsIgnored(lab);
}

TEST(RobustnessTest, RetainedCommandIsDroppedAndCountedMqtt311) {
  LabOptions options;
  options.startup_grace_ms = 300;
  options.mqtt_version = 3;
  Lab lab(options);
  lab.start();
  expectRetainedCommandsIgnored(lab);
  const auto stats = lab.bus().waitLatest(
      Lab::topic("node/stats"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && (*json)["rejected"].value("retained_command", 0) >= 1;
      },
      kEventTimeout);
  EXPECT_TRUE(stats) << lab.bus().latest(Lab::topic("node/stats")).value_or("(none)");
}

TEST(RobustnessTest, DuplicateTransactionSwitchesOnceAndAnswersTwice) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  const std::string request = R"({"target":"other","transaction":"dup-1"})";
  lab.publish(Lab::pairTopic("request/switch"), request);
  ASSERT_TRUE(lab.waitEvent(mark, "manual_switch"));
  // A client that did not see the answer sends the same request again (QoS 1 redelivery or
  // a retry): it must not switch back.
  lab.publish(Lab::pairTopic("request/switch"), request);
  const auto answers = lab.bus().collect(mark, Lab::pairTopic("response/switch"), 600ms);
  ASSERT_EQ(answers.size(), 2u);
  for (const auto& answer : answers) {
    const auto json = parseJson(answer);
    ASSERT_TRUE(json) << answer;
    EXPECT_EQ(json->value("status", ""), "ok") << answer;
    EXPECT_EQ(json->value("transaction", Json()), "dup-1");
  }
  EXPECT_EQ(lab.bus().collect(mark, Lab::pairTopic("event"), 0ms).size(), 1u);
  EXPECT_EQ(lab.routes().at(kOutputA), kBackupInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kBackupInput);
}

TEST(RobustnessTest, BadConfigurationExitsOneWithTheErrors) {
  Lab lab;  // only for its temporary directory
  const auto path = lab.directory() / "bad.yaml";
  {
    std::ofstream file(path);
    file << "node_id: Not Valid\n"
         << "health: { stale_after: 300 }\n"
         << "pairs:\n  green: { router: nowhere, main: a, backup: b, outputs: [1] }\n";
  }
  // stderr is where the errors go; read it through a shell redirect.
  testing::ChildProcess node({"/bin/sh", "-c", "exec \"$0\" --config \"$1\" 2>&1",
                              testing::binaryPath("failover-node"), path.string()});
  std::vector<std::string> lines;
  while (auto line = node.readLine(5000ms)) {
    lines.push_back(*line);
  }
  const auto status = node.waitForExit(5000ms);
  ASSERT_TRUE(status);
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  std::string output;
  for (const auto& line : lines) {
    output += line + "\n";
  }
  EXPECT_NE(output.find("node_id"), std::string::npos) << output;
  EXPECT_NE(output.find("stale_after"), std::string::npos) << output;
  EXPECT_NE(output.find("nowhere"), std::string::npos) << output;
}

// Paho would report an unreadable CA or key only as an endless "connect failed": the node
// refuses to start and names the file.
TEST(RobustnessTest, UnreadableTlsFileStopsTheStartWithItsName) {
  Lab lab;  // only for its temporary directory
  const auto path = lab.directory() / "tls.yaml";
  const auto missing = lab.directory() / "no-such-ca.pem";
  {
    std::ofstream file(path);
    file << "mqtt: { server: 'ssl://127.0.0.1:1', tls: { ca_file: " << missing.string() << " } }\n"
         << "routers: { vh1: { address: '127.0.0.1:1' } }\n"
         << "machines: { a-main: { input: 1 }, a-backup: { input: 2 } }\n"
         << "pairs: { a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] } }\n";
  }
  testing::ChildProcess node({"/bin/sh", "-c", "exec \"$0\" --config \"$1\" 2>&1",
                              testing::binaryPath("failover-node"), path.string()});
  std::string output;
  while (auto line = node.readLine(5000ms)) {
    output += *line + "\n";
  }
  const auto status = node.waitForExit(5000ms);
  ASSERT_TRUE(status);
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(output.find("cannot read mqtt.tls.ca_file " + missing.string()), std::string::npos)
      << output;
}

TEST(RobustnessTest, SigtermPublishesOfflineAndExitsZero) {
  Lab lab;
  lab.start();
  const auto info = lab.bus().waitLatest(
      Lab::topic("node/info"), [](const std::string& p) { return parseJson(p).has_value(); },
      kEventTimeout);
  ASSERT_TRUE(info);
  EXPECT_EQ(parseJson(*info)->value("node_id", ""), "fo1");

  const auto status = lab.node().stop(SIGTERM, 5000ms);
  ASSERT_TRUE(status);
  ASSERT_TRUE(WIFEXITED(*status)) << "killed instead of exiting";
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::topic("node/state"), "offline", kEventTimeout));
}

}  // namespace
}  // namespace failover::e2e
