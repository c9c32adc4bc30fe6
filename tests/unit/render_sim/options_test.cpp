// render-sim's command line: defaults, every flag, and a clear error for each kind of
// bad input.

#include <cstdio>

#include <gtest/gtest.h>

#include "failover/render_sim/render_options.h"
#include "support/temp_dir.h"

namespace failover::render_sim {
namespace {

using Args = std::vector<std::string>;

std::string errorOf(const Args& args) {
  auto parsed = parseRenderSimOptions(args);
  EXPECT_FALSE(parsed.isOk());
  return parsed.isOk() ? "" : parsed.status().message();
}

TEST(RenderSimOptions, DefaultsNeedOnlyAMachine) {
  auto parsed = parseRenderSimOptions({"--machine", "green-main"});
  ASSERT_TRUE(parsed.isOk()) << parsed.status().message();
  EXPECT_EQ(parsed->broker_host, "127.0.0.1");
  EXPECT_EQ(parsed->broker_port, "1883");
  EXPECT_EQ(parsed->machines, (std::vector<std::string>{"green-main"}));
  EXPECT_EQ(parsed->rate_ms, 100);
  EXPECT_EQ(parsed->mode, "live");
  EXPECT_EQ(parsed->control, ControlMode::Stdin);
  EXPECT_EQ(parsed->topics.status, "render/{machine}/status");
  EXPECT_EQ(parsed->topics.engine, "render/{machine}/engine");
  EXPECT_EQ(parsed->topics.videoio, "render/{machine}/videoio");
  EXPECT_EQ(parsed->topics.network, "render/{machine}/network");
  EXPECT_EQ(parsed->topics.diagnostics, "diagnostics/{machine}/health");
  EXPECT_EQ(parsed->topics.control, "render-sim/{machine}/fault");
  EXPECT_FALSE(parsed->duration_s);
}

TEST(RenderSimOptions, EveryFlag) {
  auto parsed = parseRenderSimOptions({"--broker",
                                       "mqtt://localhost:18830",
                                       "--machine",
                                       "a",
                                       "--machine",
                                       "b,c",
                                       "--rate-ms",
                                       "20",
                                       "--mode",
                                       "edit",
                                       "--duration-s",
                                       "5",
                                       "--control",
                                       "none",
                                       "--log-level",
                                       "debug",
                                       "--engine-topic",
                                       "studio/{machine}/eng",
                                       "--status-topic",
                                       "studio/{machine}/alive",
                                       "--videoio-topic",
                                       "s/{machine}/v",
                                       "--network-topic",
                                       "s/{machine}/n",
                                       "--diagnostics-topic",
                                       "diag/{machine}",
                                       "--control-topic",
                                       "ctl/{machine}/cmd"});
  ASSERT_TRUE(parsed.isOk()) << parsed.status().message();
  EXPECT_EQ(parsed->broker_host, "localhost");
  EXPECT_EQ(parsed->broker_port, "18830");
  EXPECT_EQ(parsed->machines, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(parsed->rate_ms, 20);
  EXPECT_EQ(parsed->mode, "edit");
  EXPECT_EQ(parsed->duration_s, 5);
  EXPECT_EQ(parsed->control, ControlMode::None);
  EXPECT_EQ(parsed->log_level, "debug");
  EXPECT_EQ(parsed->topics.engine, "studio/{machine}/eng");
  EXPECT_EQ(parsed->topics.status, "studio/{machine}/alive");
  EXPECT_EQ(parsed->topics.diagnostics, "diag/{machine}");
  EXPECT_EQ(parsed->topics.control, "ctl/{machine}/cmd");
}

TEST(RenderSimOptions, BrokerForms) {
  auto v6 = parseRenderSimOptions({"--broker", "tcp://[::1]:1999", "--machine", "a"});
  ASSERT_TRUE(v6.isOk()) << v6.status().message();
  EXPECT_EQ(v6->broker_host, "::1");
  EXPECT_EQ(v6->broker_port, "1999");
  auto no_port = parseRenderSimOptions({"--broker", "tcp://broker.lan", "--machine", "a"});
  ASSERT_TRUE(no_port.isOk());
  EXPECT_EQ(no_port->broker_port, "1883");
  auto mqtt = parseRenderSimOptions({"--broker", "mqtt://[::1]", "--machine", "a"});
  ASSERT_TRUE(mqtt.isOk()) << mqtt.status().message();
  EXPECT_EQ(mqtt->broker_host, "::1");
  EXPECT_EQ(mqtt->broker_port, "1883");
  for (const char* bad : {"tcp://::1", "tcp://::1:1883", "tcp://h:1883/x", "tcp://h/x",
                          "ws://h:9001", "mqtts://h", "tcp://[::1", "tcp://h:"}) {
    EXPECT_FALSE(parseRenderSimOptions({"--broker", bad, "--machine", "a"}).isOk()) << bad;
  }
}

TEST(RenderSimOptions, BadInputGetsOneClearMessage) {
  EXPECT_NE(errorOf({}).find("--machine"), std::string::npos);
  EXPECT_NE(errorOf({"--machine"}).find("needs a value"), std::string::npos);
  EXPECT_NE(errorOf({"--frobnicate", "1", "--machine", "a"}).find("unknown flag '--frobnicate'"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--bogus"}).find("unknown flag '--bogus'"),
            std::string::npos);
  EXPECT_NE(errorOf({"stray"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "Green"}).find("bad value 'Green'"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "all"}).find("'all'"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--machine", "a"}).find("twice"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a,,b"}).find("bad value ''"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--rate-ms", "5"}).find("--rate-ms"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--rate-ms", "1e3"}).find("--rate-ms"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--mode", "air"}).find("live or edit"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--duration-s", "0"}).find("--duration-s"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--control", "tcp"}).find("stdin or none"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--log-level", "loud"}).find("--log-level"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--broker", "ssl://h:1"}).find("tcp://"), std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--broker", "tcp://h:70000"}).find("port"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--broker", "tcp://:1883"}).find("--broker"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--engine-topic", "render/engine"}).find("{machine}"),
            std::string::npos);
  EXPECT_NE(errorOf({"--machine", "a", "--engine-topic", "render/+/{machine}"}).find("wildcards"),
            std::string::npos);
  EXPECT_NE(
      errorOf({"--machine", "a", "--control-topic", "{machine}/{machine}"}).find("exactly one"),
      std::string::npos);
  EXPECT_NE(
      errorOf({"--machine", "a", "--topics-from", "/nonexistent/node.yaml"}).find("--topics-from"),
      std::string::npos);
}

TEST(RenderSimOptions, HelpNeedsNothingElse) {
  auto parsed = parseRenderSimOptions({"--help"});
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(parsed->help);
  EXPECT_NE(usageText().find("--machine"), std::string::npos);
}

TEST(RenderSimOptions, TopicsAndMachinesFromTheNodeConfiguration) {
  const failover::testing::TempDir dir("render-sim-options");
  const std::string path =
      dir.write("node.yaml",
                "health:\n"
                "  topics:\n"
                "    engine: studio/{machine}/engine\n"
                "    diagnostics: diag/{machine}/health\n"
                "routers:\n"
                "  vh1: { address: 10.0.0.5 }\n"
                "machines:\n"
                "  a-main: { input: 1 }\n"
                "  a-backup: { input: 2 }\n"
                "pairs:\n"
                "  a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] }\n");
  auto from_file = parseRenderSimOptions({"--topics-from", path});
  ASSERT_TRUE(from_file.isOk()) << from_file.status().message();
  EXPECT_EQ(from_file->machines, (std::vector<std::string>{"a-main", "a-backup"}));
  EXPECT_EQ(from_file->topics.engine, "studio/{machine}/engine");
  EXPECT_EQ(from_file->topics.diagnostics, "diag/{machine}/health");
  EXPECT_EQ(from_file->topics.network, "render/{machine}/network");

  // Explicit flags win over the file, in any order.
  auto mixed = parseRenderSimOptions(
      {"--engine-topic", "x/{machine}/e", "--topics-from", path, "--machine", "other"});
  ASSERT_TRUE(mixed.isOk()) << mixed.status().message();
  EXPECT_EQ(mixed->machines, (std::vector<std::string>{"other"}));
  EXPECT_EQ(mixed->topics.engine, "x/{machine}/e");
  EXPECT_EQ(mixed->topics.diagnostics, "diag/{machine}/health");
}

TEST(RenderSimTopics, ExpandAndMatch) {
  EXPECT_EQ(expandTopic("render/{machine}/engine", "green-main"), "render/green-main/engine");
  EXPECT_EQ(expandTopic("{machine}/{machine}", "a"), "a/a");
  EXPECT_EQ(matchTopic("render-sim/{machine}/fault", "render-sim/green/fault"), "green");
  EXPECT_FALSE(matchTopic("render-sim/{machine}/fault", "render-sim/a/b/fault"));
  EXPECT_FALSE(matchTopic("render-sim/{machine}/fault", "render-sim//fault"));
  EXPECT_FALSE(matchTopic("render-sim/{machine}/fault", "render-sim/a/fault/reply"));
  EXPECT_FALSE(matchTopic("render-sim/fault", "render-sim/fault"));
}

}  // namespace
}  // namespace failover::render_sim
