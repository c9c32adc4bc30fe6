#pragma once

// Helpers shared by the codec tests: feeding a parser in chunks, comparing stats, and
// printing blocks readably in failure messages.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "failover/videohub/block_parser.h"
#include "failover/videohub/blocks.h"

namespace failover::videohub {

// Found by argument-dependent lookup: gtest prints Blocks with it.
void PrintTo(const Block& block, std::ostream* out);
void PrintTo(const ParserStats& stats, std::ostream* out);
bool operator==(const ParserStats& a, const ParserStats& b);

namespace testing {

struct Parsed {
  std::vector<Block> blocks;
  ParserStats stats;
  bool mid_block = false;
};

// Feeds `bytes` whole.
Parsed parseWhole(std::string_view bytes);

// Feeds `bytes` as two chunks split at `split`.
Parsed parseSplit(std::string_view bytes, size_t split);

// Feeds `bytes` in chunks of `chunk_size` bytes (1: one byte at a time).
Parsed parseChunked(std::string_view bytes, size_t chunk_size);

}  // namespace testing
}  // namespace failover::videohub
