#pragma once

// An incremental parser for the byte stream of a Videohub connection, in either direction.
// Bytes may arrive in any split: one at a time, many blocks per read, or a whole 288x288
// prelude. It never fails: malformed lines are skipped and counted, unknown blocks are kept
// as UnknownBlock, and memory stays bounded whatever the input.
//
// Tolerance rules, from the protocol text and from real devices:
// - LF or CRLF line ends; stray leading spaces on a line are ignored. Other carriage
//   returns inside a line become spaces, as the encoder does, so text round-trips.
// - The header is found by position (the first line after a blank line), not by pattern:
//   a key/value line with an empty value also ends in a colon.
// - Extra blank lines between blocks are empty blocks and are skipped.
// - Indexed lines are "<index> <value>": split at the first space only, so labels keep
//   their spaces; indexes above kMaxPortIndex are malformed.
//
// Not thread-safe; one parser per connection.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "failover/videohub/blocks.h"

namespace failover::videohub {

struct ParserStats {
  uint64_t blocks = 0;          // complete blocks yielded, unknown ones included
  uint64_t unknown_blocks = 0;  // blocks with a header we do not act on
  // Lines skipped: bad numbers or codes, no separator, indexes above kMaxPortIndex, and
  // any body line of ACK, NAK, PING or END PRELUDE (which have none).
  uint64_t malformed_lines = 0;
  uint64_t oversized_lines = 0;  // lines longer than kMaxLineLength, cut and skipped
  uint64_t dropped_lines = 0;    // body lines beyond the block bounds, or of a skipped block
  uint64_t skipped_blocks = 0;   // blocks whose header line was oversized: not yielded
};

class BlockParser {
 public:
  // A line longer than this is dropped (the longest real line is a label of a few dozen
  // bytes). Whole blocks hold at most kMaxLinesPerBlock body lines and kMaxBlockBytes of
  // body text; a 288x288 router's largest block is about 300 lines and 20 KB. Lines beyond
  // either bound are dropped and counted, and the block is still yielded. A block whose
  // header line is oversized cannot be identified: it is skipped up to its blank line.
  static constexpr size_t kMaxLineLength = 4096;
  static constexpr size_t kMaxLinesPerBlock = 16384;
  static constexpr size_t kMaxBlockBytes = size_t{1} << 20;

  // Parses `bytes` and appends every block completed by them to `out`, in stream order.
  void feed(std::string_view bytes, std::vector<Block>& out);

  // Forgets any partial block (after a reconnect the stream starts afresh).
  void reset();

  // True when part of a block has been received and is waiting for its blank line.
  bool midBlock() const {
    return !header_.empty() || skipping_block_ || !partial_line_.empty() || partial_line_oversized_;
  }

  // Bytes of input held for the line and block in progress. Bounded whatever the input:
  // at most 2 * kMaxLineLength + kMaxBlockBytes.
  size_t bufferedBytes() const { return partial_line_.size() + header_.size() + block_bytes_; }

  const ParserStats& stats() const { return stats_; }

 private:
  void onLine(std::string& raw_line, std::vector<Block>& out);
  void onOversizedLine();
  void finishBlock(std::vector<Block>& out);

  std::string partial_line_;
  bool partial_line_oversized_ = false;
  std::string header_;              // current block's first line; empty between blocks
  std::vector<std::string> lines_;  // current block's body
  size_t block_bytes_ = 0;          // bytes held in lines_
  bool skipping_block_ = false;     // the header was oversized: drop up to the blank line
  ParserStats stats_;
};

}  // namespace failover::videohub
