// libFuzzer target: any bytes as a Videohub stream. Besides "never crash", it checks the
// parser's contracts on every input:
// - the blocks and counters do not depend on how the bytes are split into reads;
// - the memory held for a partial block stays within its bound;
// - re-encoding a parsed block and parsing it again yields the same block, with nothing
//   skipped (for an unknown block, only its kept lines travel).
// A broken contract prints what differed and traps, which libFuzzer reports as a crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "failover/videohub/block_encoder.h"
#include "failover/videohub/block_parser.h"

namespace {

using failover::videohub::Block;
using failover::videohub::BlockParser;
using failover::videohub::ParserStats;

constexpr size_t kMemoryBound = 2 * BlockParser::kMaxLineLength + BlockParser::kMaxBlockBytes;

[[noreturn]] void broken(const char* contract, std::string_view detail) {
  std::fprintf(stderr, "videohub parser contract broken: %s\n%.*s\n", contract,
               static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

bool sameStats(const ParserStats& a, const ParserStats& b) {
  return a.blocks == b.blocks && a.unknown_blocks == b.unknown_blocks &&
         a.malformed_lines == b.malformed_lines && a.oversized_lines == b.oversized_lines &&
         a.dropped_lines == b.dropped_lines && a.skipped_blocks == b.skipped_blocks;
}

struct Result {
  std::vector<Block> blocks;
  ParserStats stats;
  bool mid_block = false;
};

// Feeds `bytes` in reads of the given sizes (cycled; 0 means the rest).
Result parse(std::string_view bytes, const std::vector<size_t>& reads) {
  BlockParser parser;
  Result result;
  size_t turn = 0;
  while (!bytes.empty()) {
    const size_t size = reads.empty() ? 0 : reads[turn++ % reads.size()];
    const size_t take = size == 0 ? bytes.size() : std::min(size, bytes.size());
    parser.feed(bytes.substr(0, take), result.blocks);
    bytes.remove_prefix(take);
    if (parser.bufferedBytes() > kMemoryBound) {
      broken("bounded memory", std::to_string(parser.bufferedBytes()));
    }
  }
  result.stats = parser.stats();
  result.mid_block = parser.midBlock();
  return result;
}

void checkSameAs(const Result& whole, const Result& other, const char* how) {
  if (other.blocks != whole.blocks || !sameStats(other.stats, whole.stats) ||
      other.mid_block != whole.mid_block) {
    broken("split-independence", how);
  }
}

void checkReencoding(const Block& parsed) {
  Block expected = parsed;
  if (auto* unknown = std::get_if<failover::videohub::UnknownBlock>(&expected)) {
    unknown->line_count = static_cast<uint32_t>(unknown->lines.size());
  }
  const std::string bytes = failover::videohub::encodeBlock(expected);
  if (bytes.find("\n\n") != bytes.size() - 2) {
    broken("encoder framing: one blank line, at the end only", bytes);
  }
  BlockParser parser;
  std::vector<Block> again;
  parser.feed(bytes, again);
  if (again.size() != 1 || again.front() != expected) {
    broken("parse(encode(block)) == block", bytes);
  }
  const ParserStats& stats = parser.stats();
  if (stats.malformed_lines != 0 || stats.oversized_lines != 0 || stats.dropped_lines != 0 ||
      parser.midBlock()) {
    broken("re-encoded block parses cleanly", bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Result whole = parse(bytes, {});

  // Two reads split where the first byte says, then reads of odd sizes.
  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  checkSameAs(whole, parse(bytes, {split, 0}), "two reads");
  checkSameAs(whole, parse(bytes, {1, 2, 3, 5, 8, 13}), "odd reads");
  if (size <= 4096) {
    checkSameAs(whole, parse(bytes, {1}), "one byte at a time");
  }

  if (whole.stats.blocks != whole.blocks.size()) {
    broken("stats.blocks counts the blocks yielded", std::to_string(whole.stats.blocks));
  }
  for (const Block& block : whole.blocks) {
    checkReencoding(block);
  }
  return 0;
}
