// parse(encode(x)) == x for generated blocks of every kind, one at a time and as one stream.

#include <random>

#include <gtest/gtest.h>

#include "failover/videohub/block_encoder.h"
#include "parse_support.h"

namespace failover::videohub::testing {
namespace {

// Generates blocks the encoder can represent exactly: text without CR/LF, key/value
// values without surrounding blanks, indexes within kMaxPortIndex.
class BlockGenerator {
 public:
  explicit BlockGenerator(uint32_t seed) : random_(seed) {}

  Block next() {
    switch (pick(12)) {
      case 0:
        return PreambleBlock{word()};
      case 1:
        return device();
      case 2:
        return LabelsBlock{port(true), labels()};
      case 3: {
        RoutingBlock block{port(false), {}};
        for (uint32_t i = 0, n = pick(40); i < n; ++i) {
          block.routes.push_back(Route{index(), index()});
        }
        return block;
      }
      case 4: {
        LocksBlock block{port(false), {}};
        for (uint32_t i = 0, n = pick(40); i < n; ++i) {
          block.locks.push_back(Lock{index(), static_cast<LockState>(pick(4))});
        }
        return block;
      }
      case 5:
        return pick(3) == 0 ? ConfigurationBlock{} : ConfigurationBlock{pick(2) == 0};
      case 6: {
        TakeModeBlock block;
        for (uint32_t i = 0, n = pick(20); i < n; ++i) {
          block.outputs.push_back(TakeModeEntry{index(), pick(2) == 0});
        }
        return block;
      }
      case 7:
        return EndPreludeBlock{};
      case 8:
        return PingBlock{};
      case 9:
        return AckBlock{};
      case 10:
        return NakBlock{};
      default:
        return unknown();
    }
  }

 private:
  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(random_); }

  uint32_t index() { return pick(2) == 0 ? pick(16) : pick(kMaxPortIndex + 1); }

  PortKind port(bool inputs_allowed) {
    return inputs_allowed ? static_cast<PortKind>(pick(4)) : static_cast<PortKind>(1 + pick(3));
  }

  // Any text a label may hold: spaces anywhere (leading, doubled, trailing), tabs inside,
  // UTF-8, NUL, punctuation and colons.
  std::string text(uint32_t max_length) {
    static const std::vector<std::string> kPieces = {
        "a", "Z", "7", " ", "  ", ":", "-", "\t", "é", "–", "日本", std::string(1, '\0'), "#"};
    std::string out;
    for (uint32_t i = 0, n = pick(max_length + 1); i < n; ++i) {
      out += kPieces[pick(static_cast<uint32_t>(kPieces.size()))];
    }
    return out;
  }

  // A key/value value: the parser trims blanks around it, so it has none there.
  std::string word() {
    std::string out = text(12);
    const auto first = out.find_first_not_of(" \t");
    if (first == std::string::npos) {
      return "x";
    }
    const auto last = out.find_last_not_of(" \t");
    return out.substr(first, last - first + 1);
  }

  std::vector<Label> labels() {
    std::vector<Label> out;
    for (uint32_t i = 0, n = pick(30); i < n; ++i) {
      out.push_back(Label{index(), text(20)});
    }
    return out;
  }

  std::optional<uint32_t> count() {
    return pick(3) == 0 ? std::nullopt : std::optional<uint32_t>(pick(kMaxPortIndex + 2));
  }

  Block device() {
    DeviceBlock block;
    if (pick(4) != 0) {
      block.present = static_cast<DevicePresence>(pick(3));
    }
    block.model_name = pick(2) == 0 ? "" : word();
    block.friendly_name = pick(2) == 0 ? "" : word();
    block.unique_id = pick(2) == 0 ? "" : word();
    block.video_inputs = count();
    block.video_outputs = count();
    block.processing_units = count();
    block.monitoring_outputs = count();
    block.serial_ports = count();
    return block;
  }

  Block unknown() {
    static const std::vector<std::string> kHeaders = {"NETWORK",
                                                      "NETWORK INTERFACE 0",
                                                      "ALARM STATUS",
                                                      "MULTIVIEW DEVICE",
                                                      "SERIAL PORT DIRECTIONS",
                                                      "ACK",
                                                      "END"};
    UnknownBlock block;
    block.header = kHeaders[pick(static_cast<uint32_t>(kHeaders.size()))];
    // "ACK" without its colon would be an ACK; every other header may go without.
    block.header_has_colon = block.header == "ACK" || pick(3) != 0;
    for (uint32_t i = 0, n = pick(kMaxUnknownLinesKept + 1); i < n; ++i) {
      block.lines.push_back("k" + text(20));
    }
    block.line_count = static_cast<uint32_t>(block.lines.size());
    return block;
  }

  std::mt19937 random_;
};

TEST(RoundTripTest, EachGeneratedBlockParsesBackToItself) {
  BlockGenerator generator(20240611);
  for (int i = 0; i < 3000; ++i) {
    const Block block = generator.next();
    const std::string bytes = encodeBlock(block);
    const Parsed parsed = parseWhole(bytes);
    ASSERT_EQ(parsed.blocks, std::vector<Block>{block}) << "iteration " << i;
    ASSERT_EQ(parsed.stats.malformed_lines, 0u) << "iteration " << i;
    ASSERT_FALSE(parsed.mid_block);
  }
}

TEST(RoundTripTest, AStreamOfGeneratedBlocksParsesBackInOrderInAnySplit) {
  BlockGenerator generator(7);
  std::vector<Block> blocks;
  std::string bytes;
  for (int i = 0; i < 400; ++i) {
    blocks.push_back(generator.next());
    encodeBlock(blocks.back(), bytes);
  }
  EXPECT_EQ(bytes.find("\n\n\n"), std::string::npos);
  EXPECT_EQ(parseWhole(bytes).blocks, blocks);
  EXPECT_EQ(parseChunked(bytes, 1).blocks, blocks);
  EXPECT_EQ(parseChunked(bytes, 13).blocks, blocks);
  EXPECT_EQ(parseSplit(bytes, bytes.size() / 3).blocks, blocks);
}

}  // namespace
}  // namespace failover::videohub::testing
