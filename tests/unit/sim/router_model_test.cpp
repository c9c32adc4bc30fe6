#include "failover/sim/router_model.h"

#include <chrono>

#include <gtest/gtest.h>

#include "failover/videohub/block_parser.h"

namespace failover::sim {
namespace {

using namespace failover::videohub;

std::vector<Block> parse(const std::string& bytes) {
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed(bytes, blocks);
  EXPECT_EQ(parser.stats().malformed_lines, 0u);
  EXPECT_FALSE(parser.midBlock());
  return blocks;
}

std::vector<std::string> headers(const std::vector<Block>& blocks) {
  std::vector<std::string> names;
  for (const auto& block : blocks) {
    names.push_back(headerOf(block));
  }
  return names;
}

RouterSettings small() {
  RouterSettings settings;
  settings.inputs = 4;
  settings.outputs = 3;
  return settings;
}

RequestOutcome request(RouterModel& model, const std::string& bytes, const std::string& ip) {
  const auto blocks = parse(bytes);
  EXPECT_EQ(blocks.size(), 1u);
  return model.handleRequest(blocks.at(0), false, ip);
}

TEST(RouterModelPrelude, Protocol28OrderPutsLocksBeforeRoutingAndEndsWithEndPrelude) {
  RouterModel model(small());
  EXPECT_EQ(headers(parse(model.prelude("127.0.0.1"))),
            (std::vector<std::string>{"PROTOCOL PREAMBLE", "VIDEOHUB DEVICE", "INPUT LABELS",
                                      "OUTPUT LABELS", "VIDEO OUTPUT LOCKS", "VIDEO OUTPUT ROUTING",
                                      "CONFIGURATION", "TAKE MODE", "END PRELUDE"}));
}

TEST(RouterModelPrelude, ManualOrderWithoutEndPrelude) {
  auto settings = small();
  settings.block_order = BlockOrder::Manual;
  settings.end_prelude = false;
  RouterModel model(settings);
  EXPECT_EQ(
      headers(parse(model.prelude("127.0.0.1"))),
      (std::vector<std::string>{"PROTOCOL PREAMBLE", "VIDEOHUB DEVICE", "INPUT LABELS",
                                "OUTPUT LABELS", "VIDEO OUTPUT ROUTING", "VIDEO OUTPUT LOCKS"}));
}

TEST(RouterModelPrelude, NetworkBlocksFollowTheDeviceBlockWhenAsked) {
  auto settings = small();
  settings.network_blocks = true;
  RouterModel model(settings);
  const auto names = headers(parse(model.prelude("127.0.0.1")));
  ASSERT_EQ(names.size(), 11u);
  EXPECT_EQ(names[2], "NETWORK");
  EXPECT_EQ(names[3], "NETWORK INTERFACE 0");
  EXPECT_EQ(names[4], "INPUT LABELS");
}

TEST(RouterModelPrelude, EndPreludeCanBeSwitchedForLaterConnections) {
  RouterModel model(small());
  model.setEndPrelude(false);
  EXPECT_EQ(headers(parse(model.prelude("127.0.0.1"))).back(), "TAKE MODE");
}

TEST(RouterModelPrelude, DeviceBlockCarriesSettingsAndOptionalCounts) {
  auto settings = small();
  settings.friendly_name = "Studio Router";
  settings.protocol_version = "2.7";
  RouterModel model(settings);
  auto blocks = parse(model.prelude("127.0.0.1"));
  EXPECT_EQ(std::get<PreambleBlock>(blocks[0]).version, "2.7");
  auto device = std::get<DeviceBlock>(blocks[1]);
  EXPECT_EQ(device.present, DevicePresence::Present);
  EXPECT_EQ(device.friendly_name, "Studio Router");
  EXPECT_EQ(device.video_inputs, 4u);
  EXPECT_EQ(device.video_outputs, 3u);
  EXPECT_EQ(device.serial_ports, 0u);
  EXPECT_EQ(device.monitoring_outputs, 0u);

  settings.device_counts = false;
  RouterModel without(settings);
  device = std::get<DeviceBlock>(parse(without.prelude("127.0.0.1"))[1]);
  EXPECT_FALSE(device.serial_ports.has_value());
  EXPECT_FALSE(device.monitoring_outputs.has_value());
  EXPECT_FALSE(device.processing_units.has_value());
  EXPECT_EQ(device.video_outputs, 3u);
}

TEST(RouterModelPrelude, DefaultsAndConfiguredLabelsAndRoutes) {
  auto settings = small();
  settings.input_labels[1] = "Render A Backup";
  settings.routes[2] = 0;
  RouterModel model(settings);
  const auto blocks = parse(model.prelude("127.0.0.1"));
  const auto& inputs = std::get<LabelsBlock>(blocks[2]);
  ASSERT_EQ(inputs.labels.size(), 4u);
  EXPECT_EQ(inputs.labels[0].text, "Input 1");
  EXPECT_EQ(inputs.labels[1].text, "Render A Backup");
  const auto& routing = std::get<RoutingBlock>(blocks[5]);
  EXPECT_EQ(routing.routes, (std::vector<Route>{{0, 0}, {1, 1}, {2, 0}}));
}

TEST(RouterModelPrelude, MoreOutputsThanInputsWrapsTheDefaultRouting) {
  auto settings = small();
  settings.inputs = 2;
  RouterModel model(settings);
  EXPECT_EQ(model.routeOf(2), 0u);
}

TEST(RouterModelPrelude, CrLfLineEndingsOnEveryLine) {
  auto settings = small();
  settings.line_ending = LineEnding::CrLf;
  RouterModel model(settings);
  const std::string prelude = model.prelude("127.0.0.1");
  for (size_t i = 0; i < prelude.size(); ++i) {
    if (prelude[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(prelude[i - 1], '\r') << "at byte " << i;
    }
  }
  EXPECT_EQ(headers(parse(prelude)).size(), 9u);
  EXPECT_EQ(model.ackBytes(), "ACK\r\n\r\n");
}

TEST(RouterModelPrelude, AbsentDeviceSendsOnlyPreambleAndDevice) {
  auto settings = small();
  settings.presence = DevicePresence::NeedsUpdate;
  RouterModel model(settings);
  const auto blocks = parse(model.prelude("127.0.0.1"));
  EXPECT_EQ(headers(blocks), (std::vector<std::string>{"PROTOCOL PREAMBLE", "VIDEOHUB DEVICE"}));
  EXPECT_EQ(std::get<DeviceBlock>(blocks[1]).present, DevicePresence::NeedsUpdate);
}

TEST(RouterModelPrelude, LargeRouterPreludeIsCompleteAndFast) {
  RouterSettings settings;
  settings.inputs = 288;
  settings.outputs = 288;
  RouterModel model(settings);
  const auto start = std::chrono::steady_clock::now();
  std::string prelude;
  for (int i = 0; i < 20; ++i) {
    prelude = model.prelude("127.0.0.1");
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));  // 20 dumps; debug build, shared machine
  const auto blocks = parse(prelude);
  EXPECT_EQ(std::get<RoutingBlock>(blocks[5]).routes.size(), 288u);
  EXPECT_EQ(std::get<LocksBlock>(blocks[4]).locks.size(), 288u);
}

TEST(RouterModelLocks, RenderedPerRecipientIp) {
  auto settings = small();
  settings.locks[1] = "127.0.0.9";
  RouterModel model(settings);
  const auto owner = std::get<LocksBlock>(parse(model.prelude("127.0.0.9"))[4]);
  const auto other = std::get<LocksBlock>(parse(model.prelude("127.0.0.1"))[4]);
  EXPECT_EQ(owner.locks[1].state, LockState::Owned);
  EXPECT_EQ(other.locks[1].state, LockState::LockedByOther);
  EXPECT_EQ(other.locks[0].state, LockState::Unlocked);
}

TEST(RouterModelLocks, TakeIsBroadcastAsOForOwnerAndLForOthers) {
  RouterModel model(small());
  const auto outcome = request(model, "VIDEO OUTPUT LOCKS:\n2 O\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_EQ(outcome.change.locks, (std::vector<uint32_t>{2}));
  EXPECT_EQ(model.render(outcome.change, "127.0.0.1"), "VIDEO OUTPUT LOCKS:\n2 O\n\n");
  EXPECT_EQ(model.render(outcome.change, "127.0.0.2"), "VIDEO OUTPUT LOCKS:\n2 L\n\n");
  EXPECT_EQ(model.lockOwner(2), "127.0.0.1");
}

TEST(RouterModelLocks, OwnershipIsByIpSoAnotherConnectionFromThatIpCanRelease) {
  RouterModel model(small());
  (void)request(model, "VIDEO OUTPUT LOCKS:\n0 O\n\n", "127.0.0.1");
  const auto outcome = request(model, "VIDEO OUTPUT LOCKS:\n0 U\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_EQ(model.render(outcome.change, "127.0.0.2"), "VIDEO OUTPUT LOCKS:\n0 U\n\n");
}

TEST(RouterModelLocks, ReleasingSomeoneElsesLockIsRefused) {
  auto settings = small();
  settings.locks[0] = "127.0.0.9";
  RouterModel model(settings);
  const auto outcome = request(model, "VIDEO OUTPUT LOCKS:\n0 U\n\n", "127.0.0.1");
  EXPECT_FALSE(outcome.ack);
  EXPECT_TRUE(outcome.change.empty());
  EXPECT_EQ(model.lockOwner(0), "127.0.0.9");
  EXPECT_FALSE(request(model, "VIDEO OUTPUT LOCKS:\n0 O\n\n", "127.0.0.1").ack);
}

TEST(RouterModelLocks, ForceUnlockClearsAnyLockAndBroadcastsU) {
  auto settings = small();
  settings.locks[0] = "127.0.0.9";
  RouterModel model(settings);
  const auto outcome = request(model, "VIDEO OUTPUT LOCKS:\n0 F\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_EQ(model.render(outcome.change, "127.0.0.9"), "VIDEO OUTPUT LOCKS:\n0 U\n\n");
  EXPECT_EQ(model.render(outcome.change, "127.0.0.1"), "VIDEO OUTPUT LOCKS:\n0 U\n\n");
  EXPECT_TRUE(model.lockOwner(0).empty());
}

TEST(RouterModelLocks, ClientsCannotSendL) {
  RouterModel model(small());
  EXPECT_FALSE(request(model, "VIDEO OUTPUT LOCKS:\n0 L\n\n", "127.0.0.1").ack);
}

TEST(RouterModelRouting, ChangeIsAckedAndOnlyChangedItemsAreBroadcast) {
  RouterModel model(small());
  const auto outcome = request(model, "VIDEO OUTPUT ROUTING:\n0 3\n1 1\n2 1\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_TRUE(outcome.dump.empty());
  // Output 1 already showed input 1 (index 1): not echoed.
  EXPECT_EQ(model.render(outcome.change, "127.0.0.2"), "VIDEO OUTPUT ROUTING:\n0 3\n2 1\n\n");
  EXPECT_EQ(model.routeOf(0), 3u);
}

TEST(RouterModelRouting, RoutingToTheCurrentSourceIsAckedWithoutEcho) {
  RouterModel model(small());
  const auto outcome = request(model, "VIDEO OUTPUT ROUTING:\n1 1\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_TRUE(outcome.change.empty());
  EXPECT_EQ(model.render(outcome.change, "127.0.0.1"), "");
}

TEST(RouterModelRouting, LockedByAnotherIpIsNakedByDefault) {
  auto settings = small();
  settings.locks[0] = "127.0.0.9";
  RouterModel model(settings);
  const auto outcome = request(model, "VIDEO OUTPUT ROUTING:\n0 2\n\n", "127.0.0.1");
  EXPECT_FALSE(outcome.ack);
  EXPECT_TRUE(outcome.change.empty());
  EXPECT_EQ(model.routeOf(0), 0u);
}

TEST(RouterModelRouting, LockedRouteAckPolicyAnswersAckWithoutChange) {
  auto settings = small();
  settings.locks[0] = "127.0.0.9";
  settings.refusal_reply = RefusalReply::Ack;
  RouterModel model(settings);
  const auto outcome = request(model, "VIDEO OUTPUT ROUTING:\n0 2\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_TRUE(outcome.change.empty());
  EXPECT_EQ(model.routeOf(0), 0u);
}

TEST(RouterModelRouting, OwnerMayRouteItsLockedOutput) {
  auto settings = small();
  settings.locks[0] = "127.0.0.1";
  RouterModel model(settings);
  EXPECT_TRUE(request(model, "VIDEO OUTPUT ROUTING:\n0 2\n\n", "127.0.0.1").ack);
  EXPECT_EQ(model.routeOf(0), 2u);
  EXPECT_EQ(model.lockOwner(0), "127.0.0.1");
}

TEST(RouterModelRouting, MixedBlockAppliesAllowedLinesAndAcks) {
  auto settings = small();
  settings.locks[0] = "127.0.0.9";
  RouterModel model(settings);
  const auto outcome = request(model, "VIDEO OUTPUT ROUTING:\n0 2\n1 3\n7 0\n2 9\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_EQ(outcome.change.routes, (std::vector<Route>{{1, 3}}));
  EXPECT_EQ(model.routeOf(0), 0u);
  EXPECT_EQ(model.routeOf(2), 2u);
}

TEST(RouterModelRouting, OutOfRangeAloneIsRefused) {
  RouterModel model(small());
  EXPECT_FALSE(request(model, "VIDEO OUTPUT ROUTING:\n3 0\n\n", "127.0.0.1").ack);
  EXPECT_FALSE(request(model, "VIDEO OUTPUT ROUTING:\n0 4\n\n", "127.0.0.1").ack);
  EXPECT_FALSE(request(model, "OUTPUT LABELS:\n3 Nowhere\n\n", "127.0.0.1").ack);
  EXPECT_FALSE(request(model, "VIDEO OUTPUT LOCKS:\n3 O\n\n", "127.0.0.1").ack);
}

TEST(RouterModelRouting, MonitoringOutputsDoNotExistHere) {
  RouterModel model(small());
  EXPECT_FALSE(request(model, "VIDEO MONITORING OUTPUT ROUTING:\n0 0\n\n", "127.0.0.1").ack);
}

TEST(RouterModelLabels, ChangedLabelsAreBroadcastWithSpaces) {
  RouterModel model(small());
  const auto outcome = request(model, "INPUT LABELS:\n0 Render A Main\n1 Input 2\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_EQ(model.render(outcome.change, "127.0.0.1"), "INPUT LABELS:\n0 Render A Main\n\n");
  EXPECT_EQ(model.inputLabel(0), "Render A Main");
}

TEST(RouterModelRequests, MixedBlocksInOneChangeRenderInProtocolOrder) {
  RouterModel model(small());
  Change change = *model.setRoute(0, 1);
  auto lock = *model.lockFor(0, "127.0.0.9");
  auto label = *model.setLabel(PortKind::VideoOutput, 0, "PGM");
  change.locks = lock.locks;
  change.output_labels = label.output_labels;
  EXPECT_EQ(model.render(change, "127.0.0.1"),
            "OUTPUT LABELS:\n0 PGM\n\nVIDEO OUTPUT LOCKS:\n0 L\n\nVIDEO OUTPUT ROUTING:\n0 1\n\n");
}

TEST(RouterModelRequests, EmptyBodyAnswersAckAndTheWholeBlock) {
  auto settings = small();
  settings.locks[2] = "127.0.0.9";
  RouterModel model(settings);
  auto outcome = request(model, "VIDEO OUTPUT ROUTING:\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_TRUE(outcome.change.empty());
  EXPECT_EQ(outcome.dump, "VIDEO OUTPUT ROUTING:\n0 0\n1 1\n2 2\n\n");
  outcome = request(model, "VIDEO OUTPUT LOCKS:\n\n", "127.0.0.1");
  EXPECT_EQ(outcome.dump, "VIDEO OUTPUT LOCKS:\n0 U\n1 U\n2 L\n\n");
  outcome = request(model, "OUTPUT LABELS:\n\n", "127.0.0.1");
  EXPECT_EQ(outcome.dump, "OUTPUT LABELS:\n0 Output 1\n1 Output 2\n2 Output 3\n\n");
  outcome = request(model, "VIDEOHUB DEVICE:\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_EQ(headers(parse(outcome.dump)), (std::vector<std::string>{"VIDEOHUB DEVICE"}));
}

TEST(RouterModelRequests, PingIsAcked) {
  RouterModel model(small());
  const auto outcome = request(model, "PING:\n\n", "127.0.0.1");
  EXPECT_TRUE(outcome.ack);
  EXPECT_TRUE(outcome.dump.empty());
  EXPECT_TRUE(outcome.change.empty());
}

TEST(RouterModelRequests, UnknownHeadersAndServerOnlyBlocksAreNaked) {
  RouterModel model(small());
  EXPECT_FALSE(request(model, "PING\n\n", "127.0.0.1").ack);  // no colon: unknown
  EXPECT_FALSE(request(model, "NETWORK:\nInterface Count: 1\n\n", "127.0.0.1").ack);
  EXPECT_FALSE(request(model, "END PRELUDE:\n\n", "127.0.0.1").ack);
  EXPECT_FALSE(request(model, "ACK\n\n", "127.0.0.1").ack);
}

TEST(RouterModelRequests, MalformedBlockIsNakedAndChangesNothing) {
  RouterModel model(small());
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed("VIDEO OUTPUT ROUTING:\n0 2\nbogus line\n\n", blocks);
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(parser.stats().malformed_lines, 1u);
  const auto outcome = model.handleRequest(blocks[0], true, "127.0.0.1");
  EXPECT_FALSE(outcome.ack);
  EXPECT_EQ(model.routeOf(0), 0u);
}

TEST(RouterModelRequests, AbsentDeviceRefusesRoutingButAnswersPing) {
  RouterModel model(small());
  const auto change = model.setPresence(DevicePresence::Absent);
  EXPECT_EQ(headers(parse(model.render(change, "127.0.0.1"))),
            (std::vector<std::string>{"VIDEOHUB DEVICE"}));
  EXPECT_FALSE(request(model, "VIDEO OUTPUT ROUTING:\n0 2\n\n", "127.0.0.1").ack);
  EXPECT_TRUE(request(model, "PING:\n\n", "127.0.0.1").ack);
  // Changes made meanwhile are not announced while the device is absent.
  EXPECT_EQ(model.render(*model.setRoute(0, 3), "127.0.0.1"), "");
  // Hardware back: every block except the preamble.
  const auto back = model.setPresence(DevicePresence::Present);
  const auto blocks = parse(model.render(back, "127.0.0.1"));
  EXPECT_EQ(headers(blocks).front(), "VIDEOHUB DEVICE");
  EXPECT_EQ(headers(blocks).back(), "END PRELUDE");
  EXPECT_EQ(std::get<RoutingBlock>(blocks[4]).routes[0], (Route{0, 3}));
}

TEST(RouterModelControl, ResizeKeepsStateAndRedumpsEverythingButThePreamble) {
  auto settings = small();
  settings.locks[1] = "127.0.0.9";
  RouterModel model(settings);
  ASSERT_TRUE(model.setLabel(PortKind::VideoInput, 0, "Cam").isOk());
  ASSERT_TRUE(model.setRoute(1, 3).isOk());
  auto change = model.resize(2, 5);
  ASSERT_TRUE(change.isOk());
  const auto blocks = parse(model.render(*change, "127.0.0.1"));
  EXPECT_EQ(headers(blocks),
            (std::vector<std::string>{"VIDEOHUB DEVICE", "INPUT LABELS", "OUTPUT LABELS",
                                      "VIDEO OUTPUT LOCKS", "VIDEO OUTPUT ROUTING", "CONFIGURATION",
                                      "TAKE MODE", "END PRELUDE"}));
  EXPECT_EQ(std::get<DeviceBlock>(blocks[0]).video_outputs, 5u);
  EXPECT_EQ(std::get<LabelsBlock>(blocks[1]).labels.size(), 2u);
  EXPECT_EQ(model.inputLabel(0), "Cam");
  EXPECT_EQ(model.routeOf(1), 1u);  // input 4 is gone: back to the default
  EXPECT_EQ(model.routeOf(4), 0u);
  EXPECT_EQ(model.lockOwner(1), "127.0.0.9");
}

TEST(RouterModelControl, OutOfRangeControlChangesAreErrors) {
  RouterModel model(small());
  EXPECT_FALSE(model.setRoute(3, 0).isOk());
  EXPECT_FALSE(model.setRoute(0, 4).isOk());
  EXPECT_FALSE(model.lockFor(5, "127.0.0.1").isOk());
  EXPECT_FALSE(model.unlock(3).isOk());
  EXPECT_FALSE(model.setLabel(PortKind::VideoInput, 4, "x").isOk());
  EXPECT_FALSE(model.resize(0, 4).isOk());
}

TEST(RouterModelControl, ValidateSettingsNamesTheProblem) {
  auto settings = small();
  settings.routes[5] = 0;
  const auto status = RouterModel::validateSettings(settings);
  EXPECT_FALSE(status.isOk());
  EXPECT_NE(status.message().find("route output 6"), std::string::npos) << status.message();
  settings = small();
  settings.output_labels[0] = "two\nlines";
  EXPECT_FALSE(RouterModel::validateSettings(settings).isOk());
  EXPECT_TRUE(RouterModel::validateSettings(small()).isOk());
}

}  // namespace
}  // namespace failover::sim
