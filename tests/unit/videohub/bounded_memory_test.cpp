// Hostile or broken streams: the parser's memory stays bounded, the damage is counted, and
// the next good block still parses.

#include <random>

#include <gtest/gtest.h>

#include "failover/videohub/block_parser.h"
#include "parse_support.h"

namespace failover::videohub::testing {
namespace {

constexpr size_t kMemoryBound = 2 * BlockParser::kMaxLineLength + BlockParser::kMaxBlockBytes;
const Block kGoodBlock = RoutingBlock{PortKind::VideoOutput, {{7, 2}}};
constexpr std::string_view kGoodBytes = "VIDEO OUTPUT ROUTING:\n7 2\n\n";

// Feeds `bytes` in 64 KB reads, checking the memory bound after every read.
void feedChecked(BlockParser& parser, std::string_view bytes, std::vector<Block>& out) {
  constexpr size_t kRead = 64 * 1024;
  for (size_t at = 0; at < bytes.size(); at += kRead) {
    parser.feed(bytes.substr(at, kRead), out);
    ASSERT_LE(parser.bufferedBytes(), kMemoryBound) << "after byte " << at;
  }
}

TEST(BoundedMemoryTest, TenMegabyteBodyLineIsDroppedAndTheBlockSurvives) {
  BlockParser parser;
  std::vector<Block> blocks;
  feedChecked(parser, "VIDEO OUTPUT ROUTING:\n1 2\n", blocks);
  feedChecked(parser, "3 " + std::string(10 * 1024 * 1024, 'x'), blocks);
  EXPECT_LE(parser.bufferedBytes(), kMemoryBound);
  feedChecked(parser, "\n4 5\n\n", blocks);
  feedChecked(parser, kGoodBytes, blocks);
  EXPECT_EQ(blocks, (std::vector<Block>{RoutingBlock{PortKind::VideoOutput, {{1, 2}, {4, 5}}},
                                        kGoodBlock}));
  EXPECT_EQ(parser.stats().oversized_lines, 1u);
  EXPECT_EQ(parser.stats().malformed_lines, 0u);
}

TEST(BoundedMemoryTest, LineOfExactlyTheLimitIsKept) {
  const std::string label(BlockParser::kMaxLineLength - 2, 'L');
  const Parsed kept = parseChunked("INPUT LABELS:\n0 " + label + "\n\n", 1000);
  const std::vector<Block> with_label = {LabelsBlock{PortKind::VideoInput, {{0, label}}}};
  EXPECT_EQ(kept.blocks, with_label);
  const Parsed cut = parseChunked("INPUT LABELS:\n0 " + label + "L\n\n", 1000);
  const std::vector<Block> without_label = {LabelsBlock{PortKind::VideoInput, {}}};
  EXPECT_EQ(cut.blocks, without_label);
  EXPECT_EQ(cut.stats.oversized_lines, 1u);
}

TEST(BoundedMemoryTest, MillionLineBlockKeepsTheFirstLinesAndCountsTheRest) {
  std::string bytes = "VIDEO OUTPUT ROUTING:\n";
  constexpr size_t kLines = 1'000'000;
  bytes.reserve(kLines * 4 + 64);
  for (size_t i = 0; i < kLines; ++i) {
    bytes += "1 2\n";
  }
  bytes += "\n";
  BlockParser parser;
  std::vector<Block> blocks;
  feedChecked(parser, bytes, blocks);
  feedChecked(parser, kGoodBytes, blocks);
  ASSERT_EQ(blocks.size(), 2u);
  const auto& routing = std::get<RoutingBlock>(blocks[0]);
  EXPECT_EQ(routing.routes.size(), BlockParser::kMaxLinesPerBlock);
  EXPECT_EQ(blocks[1], kGoodBlock);
  EXPECT_EQ(parser.stats().dropped_lines, kLines - BlockParser::kMaxLinesPerBlock);
  EXPECT_EQ(parser.stats().malformed_lines, 0u);
}

TEST(BoundedMemoryTest, BlockBytesAreBoundedEvenWithLinesUnderTheLineLimit) {
  const std::string label(4000, 'b');
  std::string bytes = "OUTPUT LABELS:\n";
  for (int i = 0; i < 1000; ++i) {
    bytes += "1 " + label + "\n";
  }
  BlockParser parser;
  std::vector<Block> blocks;
  feedChecked(parser, bytes + "\n", blocks);
  feedChecked(parser, kGoodBytes, blocks);
  ASSERT_EQ(blocks.size(), 2u);
  const size_t kept = std::get<LabelsBlock>(blocks[0]).labels.size();
  EXPECT_EQ(kept, BlockParser::kMaxBlockBytes / (label.size() + 2));
  EXPECT_EQ(parser.stats().dropped_lines, 1000 - kept);
  EXPECT_EQ(blocks[1], kGoodBlock);
}

TEST(BoundedMemoryTest, NeverEndingHeaderSkipsThatBlockOnly) {
  BlockParser parser;
  std::vector<Block> blocks;
  const std::string header(50 * 1024 * 1024, 'H');
  feedChecked(parser, header, blocks);
  EXPECT_TRUE(parser.midBlock());
  EXPECT_TRUE(blocks.empty());
  // Its body lines must not be taken for a header once the header line finally ends.
  feedChecked(parser, ":\nVIDEO OUTPUT ROUTING:\n0 0\n\n", blocks);
  EXPECT_TRUE(blocks.empty());
  EXPECT_FALSE(parser.midBlock());
  feedChecked(parser, kGoodBytes, blocks);
  EXPECT_EQ(blocks, std::vector<Block>{kGoodBlock});
  EXPECT_EQ(parser.stats().oversized_lines, 1u);
  EXPECT_EQ(parser.stats().skipped_blocks, 1u);
  EXPECT_EQ(parser.stats().dropped_lines, 2u);
  EXPECT_EQ(parser.stats().blocks, 1u);
}

TEST(BoundedMemoryTest, NulBytesAreOrdinaryBytes) {
  using namespace std::string_literals;
  const Parsed parsed = parseWhole(
      "VIDEO OUTPUT ROUTING:\n0\0 1\n1 2\n\nINPUT LABELS:\n0 a\0b\n\n"s + std::string(kGoodBytes));
  EXPECT_EQ(parsed.blocks,
            (std::vector<Block>{RoutingBlock{PortKind::VideoOutput, {{1, 2}}},
                                LabelsBlock{PortKind::VideoInput, {{0, "a\0b"s}}}, kGoodBlock}));
  EXPECT_EQ(parsed.stats.malformed_lines, 1u);
}

TEST(BoundedMemoryTest, MegabyteOfNulBytesThenAGoodBlock) {
  BlockParser parser;
  std::vector<Block> blocks;
  feedChecked(parser, std::string(1024 * 1024, '\0'), blocks);
  feedChecked(parser, "\n\n", blocks);
  feedChecked(parser, kGoodBytes, blocks);
  EXPECT_EQ(blocks, std::vector<Block>{kGoodBlock});
  EXPECT_EQ(parser.stats().oversized_lines, 1u);
}

TEST(BoundedMemoryTest, RandomBytesThenAGoodBlock) {
  for (const uint32_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937 random(seed);
    std::string noise(1024 * 1024, '\0');
    // Seeds 1 and 2: any byte. Seeds 3 and 4: protocol-like bytes, so that many lines and
    // blocks form and all the block builders see garbage.
    const std::string alphabet = "0123456789 :\n\r\tUOLFACKNPIGVDEROUTHTSabc";
    for (char& c : noise) {
      c = seed <= 2 ? static_cast<char>(random() & 0xff)
                    : alphabet[random() % static_cast<uint32_t>(alphabet.size())];
    }
    BlockParser parser;
    std::vector<Block> blocks;
    feedChecked(parser, noise, blocks);
    const size_t before = blocks.size();
    feedChecked(parser, "\n\n", blocks);
    feedChecked(parser, kGoodBytes, blocks);
    ASSERT_GE(blocks.size(), before + 1) << "seed " << seed;
    EXPECT_EQ(blocks.back(), kGoodBlock) << "seed " << seed;
    EXPECT_FALSE(parser.midBlock());
    EXPECT_EQ(parser.stats().blocks, blocks.size());
  }
}

}  // namespace
}  // namespace failover::videohub::testing
