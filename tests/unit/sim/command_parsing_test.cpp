#include <gtest/gtest.h>

#include "failover/sim/control_command.h"
#include "failover/sim/sim_options.h"

namespace failover::sim {
namespace {

TEST(SimOptions, DefaultsMatchTheDocumentedOnes) {
  const auto options = parseSimOptions({});
  ASSERT_TRUE(options.isOk()) << options.status().message();
  EXPECT_EQ(options->listen_host, "127.0.0.1");
  EXPECT_EQ(options->listen_port, 9990);
  EXPECT_EQ(options->router.inputs, 40u);
  EXPECT_EQ(options->router.block_order, BlockOrder::Protocol28);
  EXPECT_TRUE(options->router.end_prelude);
  EXPECT_EQ(options->control, ControlMode::Stdin);
}

TEST(SimOptions, EveryFlagIsRead) {
  const auto options = parseSimOptions({"--listen",
                                        "127.0.0.1:0",
                                        "--inputs",
                                        "12",
                                        "--outputs=10",
                                        "--model",
                                        "Smart Videohub",
                                        "--friendly-name",
                                        "Lab",
                                        "--unique-id",
                                        "ABCDEF01",
                                        "--protocol",
                                        "2.7",
                                        "--input-label",
                                        "1=Render A Main",
                                        "--output-label",
                                        "10=PGM",
                                        "--route",
                                        "2=12",
                                        "--end-prelude",
                                        "off",
                                        "--device-counts",
                                        "off",
                                        "--network-blocks",
                                        "on",
                                        "--block-order",
                                        "manual",
                                        "--line-ending",
                                        "crlf",
                                        "--device-present",
                                        "needs_update",
                                        "--locked-route",
                                        "ack",
                                        "--lock",
                                        "3=127.0.0.9",
                                        "--burst-limit",
                                        "8/5",
                                        "--ack-delay-ms",
                                        "50",
                                        "--split-writes",
                                        "7",
                                        "--coalesce-ms",
                                        "20",
                                        "--control",
                                        "127.0.0.1:0",
                                        "--duration-s",
                                        "30",
                                        "--log-level",
                                        "warn"});
  ASSERT_TRUE(options.isOk()) << options.status().message();
  const auto& router = options->router;
  EXPECT_EQ(options->listen_port, 0);
  EXPECT_EQ(router.inputs, 12u);
  EXPECT_EQ(router.outputs, 10u);
  EXPECT_EQ(router.model_name, "Smart Videohub");
  EXPECT_EQ(router.unique_id, "ABCDEF01");
  EXPECT_EQ(router.protocol_version, "2.7");
  EXPECT_EQ(router.input_labels.at(0), "Render A Main");
  EXPECT_EQ(router.output_labels.at(9), "PGM");
  EXPECT_EQ(router.routes.at(1), 11u);
  EXPECT_FALSE(router.end_prelude);
  EXPECT_FALSE(router.device_counts);
  EXPECT_TRUE(router.network_blocks);
  EXPECT_EQ(router.block_order, BlockOrder::Manual);
  EXPECT_EQ(router.line_ending, LineEnding::CrLf);
  EXPECT_EQ(router.presence, videohub::DevicePresence::NeedsUpdate);
  EXPECT_EQ(router.refusal_reply, RefusalReply::Ack);
  EXPECT_EQ(router.locks.at(2), "127.0.0.9");
  EXPECT_EQ(options->faults.burst_limit, (BurstLimit{8, 5}));
  EXPECT_EQ(options->faults.ack_delay_ms, 50u);
  EXPECT_EQ(options->faults.split_writes, 7u);
  EXPECT_EQ(options->faults.coalesce_ms, 20u);
  EXPECT_EQ(options->control, ControlMode::Tcp);
  EXPECT_EQ(options->duration_s, 30u);
  EXPECT_EQ(options->log_level, "warn");
}

TEST(SimOptions, ListenTakesIpv6AndLocalhost) {
  const auto v6 = parseSimOptions({"--listen", "[::1]:0"});
  ASSERT_TRUE(v6.isOk()) << v6.status().message();
  EXPECT_EQ(v6->listen_host, "::1");
  EXPECT_EQ(v6->listen_port, 0);
  const auto local = parseSimOptions({"--listen", "localhost:9991"});
  ASSERT_TRUE(local.isOk()) << local.status().message();
  EXPECT_EQ(local->listen_host, "127.0.0.1");
  EXPECT_EQ(local->listen_port, 9991);
}

TEST(SimOptions, RemoteListenNeedsAllowRemote) {
  const auto refused = parseSimOptions({"--listen", "0.0.0.0:9990"});
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("--allow-remote"), std::string::npos);
  EXPECT_TRUE(parseSimOptions({"--listen", "0.0.0.0:9990", "--allow-remote"}).isOk());
  EXPECT_FALSE(parseSimOptions({"--control", "0.0.0.0:1", "--allow-remote"}).isOk());
}

TEST(SimOptions, BadValuesNameTheFlag) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--inputs", "0"},
           {"--inputs", "x"},
           {"--outputs"},
           {"--route", "2"},
           {"--route", "5=50"},
           {"--lock", "1=not-an-ip"},
           {"--burst-limit", "8"},
           {"--listen", "127.0.0.1"},
           {"--listen", "127.0.0.1:70000"},
           {"--listen", "::1:9990"},
           {"--listen", "[::1"},
           {"--listen", "127.0.0.1:"},
           {"--listen", "not-an-ip:9990"},
           {"--control", "127.0.0.1"},
           {"--block-order", "weird"},
           {"--unique-id", "xyz"},
           {"--frobnicate", "1"},
       }) {
    const auto options = parseSimOptions(args);
    EXPECT_FALSE(options.isOk()) << args[0];
    if (!options.isOk()) {
      EXPECT_FALSE(options.status().message().empty());
    }
  }
}

TEST(ControlCommand, RouteConvertsToZeroBased) {
  const auto command = parseControlCommand("route 4 7");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->verb, ControlVerb::Route);
  EXPECT_EQ(command->output, 3u);
  EXPECT_EQ(command->input, 6u);
  EXPECT_FALSE(parseControlCommand("route 0 1").isOk());
  EXPECT_FALSE(parseControlCommand("route 1").isOk());
}

TEST(ControlCommand, RefuseNamesAnAddressAndOnOrOff) {
  const auto on = parseControlCommand("refuse 127.0.0.2 on");
  ASSERT_TRUE(on);
  EXPECT_EQ(on->verb, ControlVerb::Refuse);
  EXPECT_EQ(on->text, "127.0.0.2");
  EXPECT_TRUE(on->on);
  EXPECT_FALSE(parseControlCommand("refuse 127.0.0.2"));
  EXPECT_FALSE(parseControlCommand("refuse 127.0.0.2 maybe"));
}

TEST(ControlCommand, LabelKeepsItsSpaces) {
  const auto command = parseControlCommand("label input 2 Render B  Backup\r");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->port, videohub::PortKind::VideoInput);
  EXPECT_EQ(command->index, 1u);
  EXPECT_EQ(command->text, "Render B  Backup");
  EXPECT_FALSE(parseControlCommand("label router 2 x").isOk());
}

TEST(ControlCommand, FaultSwitches) {
  auto command = parseControlCommand("burst-limit 8 5");
  ASSERT_TRUE(command.isOk());
  EXPECT_TRUE(command->on);
  EXPECT_EQ(command->count, 8u);
  EXPECT_EQ(command->millis, 5u);
  command = parseControlCommand("burst-limit off");
  ASSERT_TRUE(command.isOk());
  EXPECT_FALSE(command->on);
  command = parseControlCommand("split-writes 3");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->count, 3u);
  command = parseControlCommand("coalesce 40");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->millis, 40u);
  command = parseControlCommand("silent on");
  ASSERT_TRUE(command.isOk());
  EXPECT_TRUE(command->on);
  command = parseControlCommand("device-present needs_update");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->presence, videohub::DevicePresence::NeedsUpdate);
  command = parseControlCommand("redump 16 12");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->count, 16u);
  EXPECT_EQ(command->outputs, 12u);
  command = parseControlCommand("locked-route ack");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->refusal, RefusalReply::Ack);
  command = parseControlCommand("route-before-ack 2 3");
  ASSERT_TRUE(command.isOk());
  EXPECT_TRUE(command->on);
  EXPECT_EQ(command->output, 1u);
  EXPECT_EQ(command->input, 2u);
  command = parseControlCommand("route-before-ack off");
  ASSERT_TRUE(command.isOk());
  EXPECT_FALSE(command->on);
  command = parseControlCommand("wait-clients 2 500");
  ASSERT_TRUE(command.isOk());
  EXPECT_EQ(command->count, 2u);
  EXPECT_EQ(command->millis, 500u);
}

TEST(ControlCommand, ErrorsExplainTheUsage) {
  for (const char* line : {"", "frobnicate", "silent maybe", "withhold-acks", "quit now",
                           "split-writes 0", "device-present yes", "ack-delay soon"}) {
    const auto command = parseControlCommand(line);
    EXPECT_FALSE(command.isOk()) << line;
  }
  EXPECT_NE(parseControlCommand("silent maybe").status().message().find("silent on|off"),
            std::string::npos);
}

}  // namespace
}  // namespace failover::sim
