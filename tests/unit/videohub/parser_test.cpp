// The parser's tolerance rules, one at a time: framing, header by position, line shapes,
// number ranges and the counting of skipped lines.

#include <gtest/gtest.h>

#include "failover/videohub/block_parser.h"
#include "parse_support.h"

namespace failover::videohub::testing {
namespace {

template <typename T>
T only(const Parsed& parsed) {
  EXPECT_EQ(parsed.blocks.size(), 1u);
  if (parsed.blocks.size() != 1 || !std::holds_alternative<T>(parsed.blocks.front())) {
    ADD_FAILURE() << "expected exactly one block of the requested type";
    return T{};
  }
  return std::get<T>(parsed.blocks.front());
}

TEST(ParserTest, NothingIsYieldedBeforeTheBlankLine) {
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed("VIDEO OUTPUT ROUTING:\n7 2\n", blocks);
  EXPECT_TRUE(blocks.empty());
  EXPECT_TRUE(parser.midBlock());
  parser.feed("\n", blocks);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0], Block(RoutingBlock{PortKind::VideoOutput, {{7, 2}}}));
  EXPECT_FALSE(parser.midBlock());
}

TEST(ParserTest, ManyBlocksInOneRead) {
  const Parsed parsed = parseWhole("ACK\n\nNAK\n\nPING:\n\nEND PRELUDE:\n\n");
  EXPECT_EQ(parsed.blocks,
            (std::vector<Block>{AckBlock{}, NakBlock{}, PingBlock{}, EndPreludeBlock{}}));
  EXPECT_EQ(parsed.stats.blocks, 4u);
}

TEST(ParserTest, CrlfAndLfMayBeMixed) {
  const Parsed parsed = parseWhole("ACK\r\n\r\nVIDEO OUTPUT ROUTING:\r\n1 2\n3 4\r\n\n");
  EXPECT_EQ(parsed.blocks, (std::vector<Block>{
                               AckBlock{}, RoutingBlock{PortKind::VideoOutput, {{1, 2}, {3, 4}}}}));
  EXPECT_EQ(parsed.stats.malformed_lines, 0u);
}

TEST(ParserTest, ExtraBlankLinesAreSkippedNotEmptyBlocks) {
  const Parsed parsed = parseWhole("\n\r\n  \nACK\n\n\n\nNAK\n\n\n");
  EXPECT_EQ(parsed.blocks, (std::vector<Block>{AckBlock{}, NakBlock{}}));
  EXPECT_EQ(parsed.stats.blocks, 2u);
}

TEST(ParserTest, HeaderIsFoundByPositionNotByItsColon) {
  // The bare "Friendly name:" is a body line with an empty value, not a new header.
  const auto device = only<DeviceBlock>(
      parseWhole("VIDEOHUB DEVICE:\nDevice present: true\nFriendly name:\nVideo inputs: 4\n\n"));
  EXPECT_EQ(device.present, DevicePresence::Present);
  EXPECT_EQ(device.friendly_name, "");
  EXPECT_EQ(device.video_inputs, 4u);
}

TEST(ParserTest, HeadersMayHoldDigitsAndStrayLeadingSpaces) {
  const auto unknown = only<UnknownBlock>(parseWhole("  NETWORK INTERFACE 1:\nName: 10GbE\n\n"));
  EXPECT_EQ(unknown.header, "NETWORK INTERFACE 1");
  EXPECT_EQ(unknown.lines, std::vector<std::string>{"Name: 10GbE"});
  EXPECT_TRUE(unknown.header_has_colon);
  EXPECT_EQ(only<PingBlock>(parseWhole("PING:  \t\n\n")), PingBlock{});
}

TEST(ParserTest, HeaderWithoutColonIsKeptAsReceived) {
  const auto bare = only<UnknownBlock>(parseWhole("PING\n\n"));
  EXPECT_EQ(bare.header, "PING");
  EXPECT_FALSE(bare.header_has_colon);
  const auto lower = only<UnknownBlock>(parseWhole("video output routing:\n0 1\n\n"));
  EXPECT_EQ(lower.header, "video output routing");
  EXPECT_EQ(lower.line_count, 1u);
}

TEST(ParserTest, UnknownBlocksKeepTheirFirstLinesAndCountAll) {
  std::string bytes = "ALARM STATUS:\n";
  for (int i = 0; i < 40; ++i) {
    bytes += "Fan " + std::to_string(i) + ": ok\n";
  }
  const Parsed parsed = parseWhole(bytes + "\n");
  const auto unknown = only<UnknownBlock>(parsed);
  EXPECT_EQ(unknown.line_count, 40u);
  ASSERT_EQ(unknown.lines.size(), kMaxUnknownLinesKept);
  EXPECT_EQ(unknown.lines.front(), "Fan 0: ok");
  EXPECT_EQ(unknown.lines.back(), "Fan 15: ok");
  EXPECT_EQ(parsed.stats.unknown_blocks, 1u);
  EXPECT_EQ(parsed.stats.malformed_lines, 0u);
}

TEST(ParserTest, LabelsSplitAtTheFirstSpaceOnly) {
  const auto labels = only<LabelsBlock>(
      parseWhole("INPUT LABELS:\n0 Render A  Main \n1  Lead\n2 \n3\n4 Grafik – Keyer\n\n"));
  EXPECT_EQ(labels.port, PortKind::VideoInput);
  EXPECT_EQ(labels.labels,
            (std::vector<Label>{
                {0, "Render A  Main "}, {1, " Lead"}, {2, ""}, {3, ""}, {4, "Grafik – Keyer"}}));
}

TEST(ParserTest, CarriageReturnInsideALineBecomesASpace) {
  const auto labels = only<LabelsBlock>(parseWhole("OUTPUT LABELS:\n0 a\rb\r\r\n\n"));
  EXPECT_EQ(labels.labels, (std::vector<Label>{{0, "a b"}}));
}

TEST(ParserTest, EveryLabelAndRoutingFamily) {
  EXPECT_EQ(only<LabelsBlock>(parseWhole("MONITORING OUTPUT LABELS:\n0 M\n\n")).port,
            PortKind::MonitoringOutput);
  EXPECT_EQ(only<LabelsBlock>(parseWhole("SERIAL PORT LABELS:\n0 S\n\n")).port,
            PortKind::SerialPort);
  EXPECT_EQ(only<RoutingBlock>(parseWhole("VIDEO MONITORING OUTPUT ROUTING:\n0 1\n\n")).destination,
            PortKind::MonitoringOutput);
  EXPECT_EQ(only<RoutingBlock>(parseWhole("SERIAL PORT ROUTING:\n0 1\n\n")).destination,
            PortKind::SerialPort);
  EXPECT_EQ(only<LocksBlock>(parseWhole("MONITORING OUTPUT LOCKS:\n0 U\n\n")).port,
            PortKind::MonitoringOutput);
  EXPECT_EQ(only<LocksBlock>(parseWhole("SERIAL PORT LOCKS:\n0 U\n\n")).port, PortKind::SerialPort);
}

TEST(ParserTest, IndexesAreRangeChecked) {
  const Parsed parsed = parseWhole(
      "VIDEO OUTPUT ROUTING:\n4095 4095\n4096 0\n0 4096\n99999999999 1\n-1 0\n+1 0\n1 -0\n"
      "0x1 0\n 007 08\n\n");
  EXPECT_EQ(only<RoutingBlock>(parsed).routes, (std::vector<Route>{{4095, 4095}, {7, 8}}));
  EXPECT_EQ(parsed.stats.malformed_lines, 7u);
}

TEST(ParserTest, RoutingLinesNeedExactlyTwoNumbers) {
  const Parsed parsed =
      parseWhole("VIDEO OUTPUT ROUTING:\n1\n1 \n1 2 3\na b\n1 2\t\n1  2\n3 4\n\n");
  EXPECT_EQ(only<RoutingBlock>(parsed).routes, (std::vector<Route>{{1, 2}, {3, 4}}));
  EXPECT_EQ(parsed.stats.malformed_lines, 5u);
}

TEST(ParserTest, LockCodes) {
  const Parsed parsed =
      parseWhole("VIDEO OUTPUT LOCKS:\n0 U\n1 O\n2 L\n3 F\n4 X\n5 u\n6 UU\n7\n8 O \n\n");
  EXPECT_EQ(only<LocksBlock>(parsed).locks, (std::vector<Lock>{{0, LockState::Unlocked},
                                                               {1, LockState::Owned},
                                                               {2, LockState::LockedByOther},
                                                               {3, LockState::ForceUnlock},
                                                               {8, LockState::Owned}}));
  EXPECT_EQ(parsed.stats.malformed_lines, 4u);
}

TEST(ParserTest, DevicePresenceValues) {
  EXPECT_EQ(only<DeviceBlock>(parseWhole("VIDEOHUB DEVICE:\nDevice present: true\n\n")).present,
            DevicePresence::Present);
  EXPECT_EQ(only<DeviceBlock>(parseWhole("VIDEOHUB DEVICE:\nDevice present: false\n\n")).present,
            DevicePresence::Absent);
  EXPECT_EQ(
      only<DeviceBlock>(parseWhole("VIDEOHUB DEVICE:\nDevice present: needs_update\n\n")).present,
      DevicePresence::NeedsUpdate);
  const Parsed odd = parseWhole("VIDEOHUB DEVICE:\nDevice present: maybe\n\n");
  EXPECT_EQ(only<DeviceBlock>(odd).present, std::nullopt);
  EXPECT_EQ(odd.stats.malformed_lines, 1u);
}

TEST(ParserTest, MissingDeviceCountsAreAbsentAndReadAsZero) {
  const auto device = only<DeviceBlock>(parseWhole(
      "VIDEOHUB DEVICE:\nDevice present: true\nVideo inputs: 10\nVideo outputs: 10\n\n"));
  EXPECT_EQ(device.video_inputs, 10u);
  EXPECT_EQ(device.video_outputs, 10u);
  EXPECT_EQ(device.processing_units.value_or(0), 0u);
  EXPECT_EQ(device.monitoring_outputs.value_or(0), 0u);
  EXPECT_EQ(device.serial_ports.value_or(0), 0u);
  EXPECT_FALSE(device.serial_ports.has_value());
}

TEST(ParserTest, DeviceCountsAreRangeChecked) {
  const Parsed parsed = parseWhole(
      "VIDEOHUB DEVICE:\nVideo inputs: 4096\nVideo outputs: 4097\nSerial ports: many\n"
      "Video monitoring outputs: -1\nUnknown key: 7\nno separator\n\n");
  const auto device = only<DeviceBlock>(parsed);
  EXPECT_EQ(device.video_inputs, 4096u);
  EXPECT_EQ(device.video_outputs, std::nullopt);
  EXPECT_EQ(device.serial_ports, std::nullopt);
  EXPECT_EQ(device.monitoring_outputs, std::nullopt);
  EXPECT_EQ(parsed.stats.malformed_lines, 4u);
}

TEST(ParserTest, KeyValueValuesAreTrimmedAndMayHoldColons) {
  const auto device = only<DeviceBlock>(
      parseWhole("VIDEOHUB DEVICE:\nUnique ID:   ab:cd  \nModel name:Blackmagic\n\n"));
  EXPECT_EQ(device.unique_id, "ab:cd");
  EXPECT_EQ(device.model_name, "Blackmagic");
}

TEST(ParserTest, PreambleConfigurationAndTakeMode) {
  EXPECT_EQ(only<PreambleBlock>(parseWhole("PROTOCOL PREAMBLE:\nVersion: 2.8\n\n")).version, "2.8");
  EXPECT_EQ(only<ConfigurationBlock>(parseWhole("CONFIGURATION:\nTake Mode: false\n\n")).take_mode,
            false);
  const Parsed odd = parseWhole("CONFIGURATION:\nTake Mode: yes\nLayout: 4x4\n\n");
  EXPECT_EQ(only<ConfigurationBlock>(odd).take_mode, std::nullopt);
  EXPECT_EQ(odd.stats.malformed_lines, 1u);
  const Parsed take = parseWhole("TAKE MODE:\n0 true\n1 false\n2 yes\n\n");
  EXPECT_EQ(only<TakeModeBlock>(take).outputs, (std::vector<TakeModeEntry>{{0, true}, {1, false}}));
  EXPECT_EQ(take.stats.malformed_lines, 1u);
}

TEST(ParserTest, EmptyBodyIsADumpRequest) {
  EXPECT_EQ(only<RoutingBlock>(parseWhole("VIDEO OUTPUT ROUTING:\n\n")).routes.size(), 0u);
  EXPECT_EQ(only<LabelsBlock>(parseWhole("INPUT LABELS:\n\n")).labels.size(), 0u);
  EXPECT_EQ(only<LocksBlock>(parseWhole("VIDEO OUTPUT LOCKS:\n\n")).locks.size(), 0u);
}

TEST(ParserTest, BodyLinesOfBodylessBlocksAreMalformed) {
  const Parsed parsed = parseWhole("ACK\nVIDEO OUTPUT ROUTING:\n1 2\n\nPING:\nx\n\n");
  EXPECT_EQ(parsed.blocks, (std::vector<Block>{AckBlock{}, PingBlock{}}));
  EXPECT_EQ(parsed.stats.malformed_lines, 3u);
}

TEST(ParserTest, ResetForgetsThePartialBlock) {
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed("VIDEO OUTPUT ROUTING:\n1 2\n3 ", blocks);
  EXPECT_TRUE(parser.midBlock());
  EXPECT_GT(parser.bufferedBytes(), 0u);
  parser.reset();
  EXPECT_FALSE(parser.midBlock());
  EXPECT_EQ(parser.bufferedBytes(), 0u);
  parser.feed("ACK\n\n", blocks);
  EXPECT_EQ(blocks, std::vector<Block>{AckBlock{}});
}

TEST(ParserTest, StatsCountYieldedAndUnknownBlocks) {
  const Parsed parsed = parseWhole("ACK\n\nFOO:\n\nBAR\n\nVIDEO OUTPUT ROUTING:\n1 2\n\n");
  EXPECT_EQ(parsed.stats.blocks, 4u);
  EXPECT_EQ(parsed.stats.unknown_blocks, 2u);
}

}  // namespace
}  // namespace failover::videohub::testing
