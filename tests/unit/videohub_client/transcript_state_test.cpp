// The mirror and the prelude tracker fed with the golden protocol transcripts in
// tests/data/videohub/ (written from the protocol text, not by our encoder), byte by byte
// and whole, checked against the device block each transcript's expectation file lists.

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "failover/videohub/block_parser.h"
#include "failover/videohub_client/prelude_tracker.h"
#include "failover/videohub_client/router_state.h"

namespace failover::videohub_client {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Replay {
  RouterState state;
  PreludeTracker tracker;
  PreludeStatus status = PreludeStatus::InProgress;
  size_t device_blocks = 0;
};

// Feeds `bytes` in chunks of `chunk` bytes, as a client would after connecting.
Replay replay(const std::string& bytes, size_t chunk) {
  Replay r;
  videohub::BlockParser parser;
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    std::vector<videohub::Block> blocks;
    parser.feed(std::string_view(bytes).substr(at, chunk), blocks);
    for (const auto& block : blocks) {
      const bool redump =
          std::holds_alternative<videohub::DeviceBlock>(block) && r.state.hasDevice();
      (void)r.state.apply(block);
      if (redump) {
        r.tracker.restartForRedump();
      }
      if (std::holds_alternative<videohub::DeviceBlock>(block)) {
        ++r.device_blocks;
      }
      r.status = r.tracker.onBlock(block, r.state);
    }
  }
  return r;
}

nlohmann::json lastDeviceOf(const std::string& name) {
  const auto expected = nlohmann::json::parse(
      readFile(std::string(FAILOVER_TEST_DATA_DIR) + "/videohub/" + name + ".json"));
  nlohmann::json device;
  for (const auto& block : expected["blocks"]) {
    if (block["type"] == "device") {
      device = block;
    }
  }
  return device;
}

std::string transcript(const std::string& name) {
  return readFile(std::string(FAILOVER_TEST_DATA_DIR) + "/videohub/" + name + ".txt");
}

class PresentTranscriptTest : public ::testing::TestWithParam<const char*> {};

TEST_P(PresentTranscriptTest, MirrorsTheDeviceAndCompletesThePrelude) {
  const std::string name = GetParam();
  const std::string bytes = transcript(name);
  ASSERT_FALSE(bytes.empty()) << name;
  const nlohmann::json device = lastDeviceOf(name);
  for (const size_t chunk : {bytes.size(), size_t{1}, size_t{7}}) {
    Replay r = replay(bytes, chunk);
    ASSERT_TRUE(r.state.available()) << name;
    EXPECT_EQ(r.state.inputCount(), device.value("video_inputs", 0u)) << name;
    EXPECT_EQ(r.state.outputCount(), device.value("video_outputs", 0u)) << name;
    EXPECT_EQ(r.state.device().model_name, device.value("model_name", std::string())) << name;
    // Every output has a source once the prelude is in.
    for (uint32_t o = 1; o <= r.state.outputCount(); ++o) {
      EXPECT_TRUE(r.state.sourceOf(o).has_value()) << name << " output " << o;
    }
    if (r.status != PreludeStatus::Complete) {
      // No END PRELUDE: complete once the PING sent after connecting is answered.
      EXPECT_EQ(r.status, PreludeStatus::InProgress) << name;
      EXPECT_EQ(r.tracker.onPingAcked(r.state), PreludeStatus::Complete) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, PresentTranscriptTest,
                         ::testing::Values("videohub_10x10_12g_v2_8", "smart_videohub_16x16_v2_3",
                                           "cleanswitch_12x12_crlf", "universal_videohub_288"));

TEST(TranscriptTest, TheTwelveGDumpEndsWithItsMarker) {
  const Replay r = replay(transcript("videohub_10x10_12g_v2_8"), 64);
  EXPECT_EQ(r.status, PreludeStatus::Complete);
  EXPECT_EQ(r.state.inputLabel(1), "Render A Main");
}

TEST(TranscriptTest, AbsentAndOutdatedDevicesAreUnavailable) {
  for (const char* name : {"device_absent", "device_needs_update"}) {
    Replay r = replay(transcript(name), 5);
    EXPECT_EQ(r.status, PreludeStatus::DeviceUnavailable) << name;
    EXPECT_EQ(r.tracker.onPingAcked(r.state), PreludeStatus::DeviceUnavailable) << name;
    EXPECT_FALSE(r.state.available()) << name;
  }
}

TEST(TranscriptTest, AMultiViewIsRecognisedAsNotAVideohub) {
  const Replay r = replay(transcript("multiview_device"), 3);
  EXPECT_EQ(r.status, PreludeStatus::NotAVideohub);
}

TEST(TranscriptTest, EveryDeviceBlockRebuildsTheMirror) {
  const nlohmann::json device = lastDeviceOf("mid_session_redump");
  Replay r = replay(transcript("mid_session_redump"), 11);
  EXPECT_EQ(r.device_blocks, 3u);
  ASSERT_TRUE(r.state.available());
  EXPECT_EQ(r.state.device().model_name, device.value("model_name", std::string()));
  EXPECT_EQ(r.state.device().monitoring_outputs, device.value("monitoring_outputs", 0u));
  EXPECT_EQ(r.state.device().protocol_version, "2.3");
  EXPECT_EQ(r.tracker.onPingAcked(r.state), PreludeStatus::Complete);
}

}  // namespace
}  // namespace failover::videohub_client
