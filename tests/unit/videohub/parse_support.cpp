#include "parse_support.h"

#include <algorithm>
#include <type_traits>

#include "failover/videohub/block_encoder.h"

namespace failover::videohub {

void PrintTo(const Block& block, std::ostream* out) {
  // The wire form is the most readable; the index disambiguates blocks that encode alike
  // (a labels request and an empty block) and shows fields the encoder leaves out.
  *out << "Block#" << block.index() << "{" << encodeBlock(block);
  if (const auto* unknown = std::get_if<UnknownBlock>(&block)) {
    *out << " line_count=" << unknown->line_count
         << " header_has_colon=" << unknown->header_has_colon;
  }
  *out << "}";
}

void PrintTo(const ParserStats& stats, std::ostream* out) {
  *out << "{blocks=" << stats.blocks << " unknown=" << stats.unknown_blocks
       << " malformed=" << stats.malformed_lines << " oversized=" << stats.oversized_lines
       << " dropped=" << stats.dropped_lines << " skipped_blocks=" << stats.skipped_blocks << "}";
}

bool operator==(const ParserStats& a, const ParserStats& b) {
  return a.blocks == b.blocks && a.unknown_blocks == b.unknown_blocks &&
         a.malformed_lines == b.malformed_lines && a.oversized_lines == b.oversized_lines &&
         a.dropped_lines == b.dropped_lines && a.skipped_blocks == b.skipped_blocks;
}

namespace testing {
namespace {

Parsed finish(const BlockParser& parser, std::vector<Block> blocks) {
  return Parsed{std::move(blocks), parser.stats(), parser.midBlock()};
}

}  // namespace

Parsed parseWhole(std::string_view bytes) {
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed(bytes, blocks);
  return finish(parser, std::move(blocks));
}

Parsed parseSplit(std::string_view bytes, size_t split) {
  BlockParser parser;
  std::vector<Block> blocks;
  parser.feed(bytes.substr(0, split), blocks);
  parser.feed(bytes.substr(split), blocks);
  return finish(parser, std::move(blocks));
}

Parsed parseChunked(std::string_view bytes, size_t chunk_size) {
  BlockParser parser;
  std::vector<Block> blocks;
  for (size_t at = 0; at < bytes.size(); at += chunk_size) {
    parser.feed(bytes.substr(at, chunk_size), blocks);
  }
  return finish(parser, std::move(blocks));
}

}  // namespace testing
}  // namespace failover::videohub
