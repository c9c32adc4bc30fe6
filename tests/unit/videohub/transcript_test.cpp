// Every golden transcript, parsed whole, one byte at a time and split in two at every
// position, must yield exactly the blocks and counters its hand-written sidecar lists.

#include "transcript.h"

#include <gtest/gtest.h>

#include "parse_support.h"

namespace failover::videohub::testing {
namespace {

// Splitting a transcript at every position costs a full parse per position. Above this
// size (only the 288x288 prelude) the positions used are: every one in the first and last
// KB, every one within two bytes of a block's end, and every 61st in between; one-byte
// feeding covers every boundary of that transcript as well.
constexpr size_t kEverySplitLimit = 8192;
constexpr size_t kEdge = 1024;
constexpr size_t kStride = 61;

bool nearBlockEnd(const std::string& bytes, size_t split) {
  const size_t from = split >= 4 ? split - 4 : 0;
  return bytes.substr(from, 8).find("\n\n") != std::string::npos;
}

class TranscriptTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { transcript_ = loadTranscript(GetParam()); }
  Transcript transcript_;
};

TEST_P(TranscriptTest, SidecarIsNotEmptyAndTranscriptEndsWithABlankLine) {
  ASSERT_FALSE(transcript_.blocks.empty());
  ASSERT_GE(transcript_.bytes.size(), 2u);
  EXPECT_EQ(transcript_.bytes.back(), '\n');
  EXPECT_EQ(transcript_.stats.blocks, transcript_.blocks.size());
}

TEST_P(TranscriptTest, WholeTranscriptYieldsTheExpectedBlocks) {
  const Parsed parsed = parseWhole(transcript_.bytes);
  ASSERT_EQ(parsed.blocks.size(), transcript_.blocks.size());
  for (size_t i = 0; i < parsed.blocks.size(); ++i) {
    EXPECT_EQ(parsed.blocks[i], transcript_.blocks[i]) << "block " << i;
  }
  EXPECT_EQ(parsed.stats, transcript_.stats);
  EXPECT_FALSE(parsed.mid_block);
}

TEST_P(TranscriptTest, OneByteAtATimeYieldsTheExpectedBlocks) {
  const Parsed parsed = parseChunked(transcript_.bytes, 1);
  EXPECT_EQ(parsed.blocks, transcript_.blocks);
  EXPECT_EQ(parsed.stats, transcript_.stats);
  EXPECT_FALSE(parsed.mid_block);
}

TEST_P(TranscriptTest, OddChunkSizesYieldTheExpectedBlocks) {
  for (const size_t chunk : {2u, 3u, 7u, 64u, 1460u}) {
    const Parsed parsed = parseChunked(transcript_.bytes, chunk);
    EXPECT_EQ(parsed.blocks, transcript_.blocks) << "chunk " << chunk;
    EXPECT_EQ(parsed.stats, transcript_.stats) << "chunk " << chunk;
  }
}

TEST_P(TranscriptTest, EverySplitPointYieldsTheExpectedBlocks) {
  const std::string& bytes = transcript_.bytes;
  const bool every = bytes.size() <= kEverySplitLimit;
  size_t checked = 0;
  for (size_t split = 0; split <= bytes.size(); ++split) {
    if (!every && split > kEdge && split + kEdge < bytes.size() && split % kStride != 0 &&
        !nearBlockEnd(bytes, split)) {
      continue;
    }
    const Parsed parsed = parseSplit(bytes, split);
    ++checked;
    // One failure report per split point, not thousands of lines.
    if (parsed.blocks != transcript_.blocks || !(parsed.stats == transcript_.stats)) {
      ADD_FAILURE() << "split at byte " << split << " of " << bytes.size();
      EXPECT_EQ(parsed.blocks, transcript_.blocks);
      EXPECT_EQ(parsed.stats, transcript_.stats);
      return;
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST_P(TranscriptTest, ParsingTwiceInOneParserYieldsEveryBlockTwice) {
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed(transcript_.bytes, blocks);
  parser.feed(transcript_.bytes, blocks);
  std::vector<Block> expected = transcript_.blocks;
  expected.insert(expected.end(), transcript_.blocks.begin(), transcript_.blocks.end());
  EXPECT_EQ(blocks, expected);
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Golden, TranscriptTest, ::testing::ValuesIn(transcriptNames()), testName);

TEST(TranscriptSet, HoldsEveryRequiredSession) {
  const auto names = transcriptNames();
  for (const char* required :
       {"smart_videohub_16x16_v2_3", "videohub_10x10_12g_v2_8", "cleanswitch_12x12_crlf",
        "device_absent", "device_needs_update", "multiview_device", "mid_session_redump",
        "interleaved_replies", "exchange_client_requests", "exchange_server_replies",
        "universal_videohub_288"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  }
}

}  // namespace
}  // namespace failover::videohub::testing

namespace failover::videohub::testing {
namespace {

// Guards the capture against line-end normalisation by an editor or git.
TEST(TranscriptSet, CrlfCaptureKeepsItsCarriageReturns) {
  const std::string bytes = readDataFile("cleanswitch_12x12_crlf.txt");
  size_t lines = 0;
  size_t crlf = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ++lines;
      if (i > 0 && bytes[i - 1] == '\r') {
        ++crlf;
      }
    }
  }
  EXPECT_GT(lines, 50u);
  EXPECT_EQ(crlf, lines);
  EXPECT_EQ(readDataFile("smart_videohub_16x16_v2_3.txt").find('\r'), std::string::npos);
}

}  // namespace
}  // namespace failover::videohub::testing
