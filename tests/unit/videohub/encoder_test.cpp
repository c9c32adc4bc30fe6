// The encoder's bytes, compared with bytes written by hand from the protocol text.

#include <gtest/gtest.h>

#include "failover/videohub/block_encoder.h"
#include "parse_support.h"
#include "transcript.h"

namespace failover::videohub::testing {
namespace {

TEST(EncoderTest, SingleRouteIsOneLineThenOneBlankLine) {
  EXPECT_EQ(encodeBlock(RoutingBlock{PortKind::VideoOutput, {{7, 2}}}),
            "VIDEO OUTPUT ROUTING:\n7 2\n\n");
}

TEST(EncoderTest, SalvoIsOneBlockWithEveryRouteInOrder) {
  EXPECT_EQ(encodeBlock(RoutingBlock{PortKind::VideoOutput, {{0, 4}, {1, 5}, {2, 6}}}),
            "VIDEO OUTPUT ROUTING:\n0 4\n1 5\n2 6\n\n");
}

TEST(EncoderTest, OtherRoutingFamiliesUseTheirHeaders) {
  EXPECT_EQ(encodeBlock(RoutingBlock{PortKind::MonitoringOutput, {{1, 0}}}),
            "VIDEO MONITORING OUTPUT ROUTING:\n1 0\n\n");
  EXPECT_EQ(encodeBlock(RoutingBlock{PortKind::SerialPort, {{3, 4}}}),
            "SERIAL PORT ROUTING:\n3 4\n\n");
}

TEST(EncoderTest, LabelsKeepTheirSpacesAndUtf8) {
  EXPECT_EQ(encodeBlock(LabelsBlock{PortKind::VideoOutput, {{6, "Program Out"}}}),
            "OUTPUT LABELS:\n6 Program Out\n\n");
  EXPECT_EQ(encodeBlock(LabelsBlock{PortKind::VideoInput, {{0, " Two  spaces "}, {1, "Caméra"}}}),
            "INPUT LABELS:\n0  Two  spaces \n1 Caméra\n\n");
  EXPECT_EQ(encodeBlock(LabelsBlock{PortKind::MonitoringOutput, {{0, "Mon"}}}),
            "MONITORING OUTPUT LABELS:\n0 Mon\n\n");
  EXPECT_EQ(encodeBlock(LabelsBlock{PortKind::SerialPort, {{2, "Deck"}}}),
            "SERIAL PORT LABELS:\n2 Deck\n\n");
}

TEST(EncoderTest, LabelNewlinesAndCarriageReturnsBecomeSpaces) {
  EXPECT_EQ(encodeBlock(LabelsBlock{PortKind::VideoOutput, {{1, "a\nb\r\nc"}, {2, "\n"}}}),
            "OUTPUT LABELS:\n1 a b  c\n2  \n\n");
}

TEST(EncoderTest, EmptyLabelKeepsItsSeparatingSpace) {
  EXPECT_EQ(encodeBlock(LabelsBlock{PortKind::VideoInput, {{3, ""}}}), "INPUT LABELS:\n3 \n\n");
}

TEST(EncoderTest, LockCodesOUAndF) {
  EXPECT_EQ(encodeBlock(LocksBlock{PortKind::VideoOutput, {{3, LockState::Owned}}}),
            "VIDEO OUTPUT LOCKS:\n3 O\n\n");
  EXPECT_EQ(encodeBlock(LocksBlock{PortKind::VideoOutput, {{3, LockState::Unlocked}}}),
            "VIDEO OUTPUT LOCKS:\n3 U\n\n");
  EXPECT_EQ(encodeBlock(LocksBlock{PortKind::VideoOutput, {{2, LockState::ForceUnlock}}}),
            "VIDEO OUTPUT LOCKS:\n2 F\n\n");
  EXPECT_EQ(encodeBlock(LocksBlock{PortKind::MonitoringOutput, {{0, LockState::LockedByOther}}}),
            "MONITORING OUTPUT LOCKS:\n0 L\n\n");
  EXPECT_EQ(encodeBlock(LocksBlock{PortKind::SerialPort, {{9, LockState::Owned}}}),
            "SERIAL PORT LOCKS:\n9 O\n\n");
}

TEST(EncoderTest, DumpRequestIsHeaderThenOneBlankLine) {
  EXPECT_EQ(encodeDumpRequest(RoutingBlock{PortKind::VideoOutput, {}}),
            "VIDEO OUTPUT ROUTING:\n\n");
  EXPECT_EQ(encodeDumpRequest(LocksBlock{PortKind::VideoOutput, {}}), "VIDEO OUTPUT LOCKS:\n\n");
  EXPECT_EQ(encodeDumpRequest(LabelsBlock{PortKind::VideoInput, {}}), "INPUT LABELS:\n\n");
  EXPECT_EQ(encodeDumpRequest(DeviceBlock{}), "VIDEOHUB DEVICE:\n\n");
  // The example's contents do not matter: only its header is sent.
  EXPECT_EQ(encodeDumpRequest(RoutingBlock{PortKind::VideoOutput, {{1, 2}}}),
            "VIDEO OUTPUT ROUTING:\n\n");
}

TEST(EncoderTest, PingHasItsColon) {
  EXPECT_EQ(encodePing(), "PING:\n\n");
  EXPECT_EQ(encodeBlock(PingBlock{}), "PING:\n\n");
}

TEST(EncoderTest, AckAndNakHaveNoColon) {
  EXPECT_EQ(encodeBlock(AckBlock{}), "ACK\n\n");
  EXPECT_EQ(encodeBlock(NakBlock{}), "NAK\n\n");
}

TEST(EncoderTest, AppendingKeepsWhatIsAlreadyThere) {
  std::string out = "PING:\n\n";
  encodeBlock(RoutingBlock{PortKind::VideoOutput, {{0, 1}}}, out);
  EXPECT_EQ(out, "PING:\n\nVIDEO OUTPUT ROUTING:\n0 1\n\n");
}

TEST(EncoderTest, StatusBlocksAsTheSimulatorSendsThem) {
  EXPECT_EQ(encodeBlock(PreambleBlock{"2.8"}), "PROTOCOL PREAMBLE:\nVersion: 2.8\n\n");
  DeviceBlock device;
  device.present = DevicePresence::Present;
  device.model_name = "Blackmagic Smart Videohub";
  device.video_inputs = 16;
  device.processing_units = 0;
  device.video_outputs = 16;
  device.monitoring_outputs = 0;
  device.serial_ports = 0;
  EXPECT_EQ(encodeBlock(device),
            "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Smart Videohub\n"
            "Video inputs: 16\nVideo processing units: 0\nVideo outputs: 16\n"
            "Video monitoring outputs: 0\nSerial ports: 0\n\n");
  DeviceBlock modern;
  modern.present = DevicePresence::Present;
  modern.model_name = "Blackmagic Videohub 10x10 12G";
  modern.friendly_name = "Studio\nRouter";
  modern.unique_id = "ABC";
  modern.video_inputs = 10;
  modern.video_outputs = 10;
  EXPECT_EQ(
      encodeBlock(modern),
      "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Videohub 10x10 12G\n"
      "Friendly name: Studio Router\nUnique ID: ABC\nVideo inputs: 10\nVideo outputs: 10\n\n");
  DeviceBlock absent;
  absent.present = DevicePresence::NeedsUpdate;
  EXPECT_EQ(encodeBlock(absent), "VIDEOHUB DEVICE:\nDevice present: needs_update\n\n");
  EXPECT_EQ(encodeBlock(ConfigurationBlock{true}), "CONFIGURATION:\nTake Mode: true\n\n");
  EXPECT_EQ(encodeBlock(TakeModeBlock{{{0, true}, {1, false}}}), "TAKE MODE:\n0 true\n1 false\n\n");
  EXPECT_EQ(encodeBlock(EndPreludeBlock{}), "END PRELUDE:\n\n");
}

TEST(EncoderTest, UnknownBlocksNeverCarryABlankLine) {
  UnknownBlock block;
  block.header = "ALARM STATUS";
  block.lines = {"Fan 0: ok", "", "  ", "\r", "Fan\n1: ok"};
  EXPECT_EQ(encodeBlock(block), "ALARM STATUS:\nFan 0: ok\nFan 1: ok\n\n");
  UnknownBlock bare;
  bare.header = "PING";
  bare.header_has_colon = false;
  EXPECT_EQ(encodeBlock(bare), "PING\n\n");
  UnknownBlock blank;
  blank.header = "";
  blank.header_has_colon = false;
  EXPECT_EQ(encodeBlock(blank), ":\n\n");
}

// The hand-written client side of the exchange transcript is exactly what we send.
TEST(EncoderTest, ClientRequestsMatchTheExchangeTranscriptByteForByte) {
  std::string sent;
  encodeBlock(RoutingBlock{PortKind::VideoOutput, {{0, 1}, {1, 1}, {2, 3}}}, sent);
  encodeBlock(RoutingBlock{PortKind::VideoOutput, {{7, 2}}}, sent);
  encodeBlock(LabelsBlock{PortKind::VideoOutput, {{6, "Program Out"}}}, sent);
  encodeBlock(LabelsBlock{PortKind::VideoInput, {{0, "Render A Main"}, {1, "Render A Backup"}}},
              sent);
  encodeBlock(LocksBlock{PortKind::VideoOutput, {{3, LockState::Owned}}}, sent);
  encodeBlock(LocksBlock{PortKind::VideoOutput, {{3, LockState::Unlocked}}}, sent);
  encodeBlock(LocksBlock{PortKind::VideoOutput, {{2, LockState::ForceUnlock}}}, sent);
  sent += encodeDumpRequest(RoutingBlock{PortKind::VideoOutput, {}});
  sent += encodeDumpRequest(LocksBlock{PortKind::VideoOutput, {}});
  sent += encodePing();
  EXPECT_EQ(sent, readDataFile("exchange_client_requests.txt"));
}

// Encoding a transcript's expected blocks gives back an LF transcript with the same parse.
TEST(EncoderTest, EncodedTranscriptsNeverHoldCrOrDoubleBlankLines) {
  for (const auto& name : transcriptNames()) {
    const Transcript transcript = loadTranscript(name);
    std::string bytes;
    for (const auto& block : transcript.blocks) {
      encodeBlock(block, bytes);
    }
    EXPECT_EQ(bytes.find('\r'), std::string::npos) << name;
    EXPECT_EQ(bytes.find("\n\n\n"), std::string::npos) << name;
    EXPECT_NE(bytes.rfind("\n\n"), std::string::npos) << name;
    EXPECT_NE(bytes.substr(0, 1), "\n") << name;
    // Only the kept lines of an unknown block are sent on.
    std::vector<Block> expected = transcript.blocks;
    for (auto& block : expected) {
      if (auto* unknown = std::get_if<UnknownBlock>(&block)) {
        unknown->line_count = static_cast<uint32_t>(unknown->lines.size());
      }
    }
    const Parsed parsed = parseWhole(bytes);
    EXPECT_EQ(parsed.blocks, expected) << name;
    EXPECT_EQ(parsed.stats.malformed_lines, 0u) << name;
  }
}

}  // namespace
}  // namespace failover::videohub::testing
