#include "failover/videohub/block_parser.h"

#include <charconv>
#include <optional>

#include "header_names.h"

namespace failover::videohub {
namespace {

std::string_view trimLeft(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  return text;
}

std::string_view trimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<uint32_t> parseNumber(std::string_view text, uint32_t max_value) {
  if (text.empty() || text.size() > 10) {
    return std::nullopt;
  }
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max_value) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parseBool(std::string_view text) {
  if (text == "true") {
    return true;
  }
  if (text == "false") {
    return false;
  }
  return std::nullopt;
}

// "<index> <value>": the index, and everything after the first space.
struct IndexedLine {
  uint32_t index;
  std::string_view value;
};

std::optional<IndexedLine> splitIndexed(std::string_view line) {
  const auto space = line.find(' ');
  const auto index = parseNumber(line.substr(0, space), kMaxPortIndex);
  if (!index) {
    return std::nullopt;
  }
  return IndexedLine{*index,
                     space == std::string_view::npos ? std::string_view{} : line.substr(space + 1)};
}

// "Key: value": the key, and the value without surrounding blanks.
struct KeyValue {
  std::string_view key;
  std::string_view value;
};

std::optional<KeyValue> splitKeyValue(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::nullopt;
  }
  return KeyValue{trimRight(line.substr(0, colon)), trimRight(trimLeft(line.substr(colon + 1)))};
}

std::optional<LockState> parseLockCode(std::string_view code) {
  return core::valueOf(kLockCodes, code);
}

std::optional<DevicePresence> parsePresence(std::string_view text) {
  return core::valueOf(kDevicePresenceNames, text);
}

// Builds a typed block from a header and its body; counts what it has to skip.
class BlockBuilder {
 public:
  BlockBuilder(const std::vector<std::string>& lines, ParserStats& stats)
      : lines_(lines), stats_(stats) {}

  Block build(std::string_view header) {
    if (header == detail::kAck) {
      return bodyless(AckBlock{});
    }
    if (header == detail::kNak) {
      return bodyless(NakBlock{});
    }
    if (header.empty() || header.back() != ':') {
      Block block = unknown(header);
      std::get<UnknownBlock>(block).header_has_colon = false;
      return block;
    }
    const std::string_view name = header.substr(0, header.size() - 1);
    if (name == detail::kPreamble) {
      return preamble();
    }
    if (name == detail::kDevice) {
      return device();
    }
    if (const auto port = detail::labelsPortFromHeader(name)) {
      return labels(*port);
    }
    if (const auto port = detail::routingPortFromHeader(name)) {
      return routing(*port);
    }
    if (const auto port = detail::locksPortFromHeader(name)) {
      return locks(*port);
    }
    if (name == detail::kConfiguration) {
      return configuration();
    }
    if (name == detail::kTakeMode) {
      return takeMode();
    }
    if (name == detail::kEndPrelude) {
      return bodyless(EndPreludeBlock{});
    }
    if (name == detail::kPing) {
      return bodyless(PingBlock{});
    }
    return unknown(name);
  }

 private:
  void malformed() { ++stats_.malformed_lines; }

  // ACK, NAK, END PRELUDE and PING have no body: any line after them is malformed (an ACK
  // whose blank line was lost swallows the next block this way).
  Block bodyless(Block block) {
    stats_.malformed_lines += lines_.size();
    return block;
  }

  Block unknown(std::string_view header) {
    ++stats_.unknown_blocks;
    UnknownBlock block;
    block.header = std::string(header);
    block.line_count = static_cast<uint32_t>(lines_.size());
    for (size_t i = 0; i < lines_.size() && i < kMaxUnknownLinesKept; ++i) {
      block.lines.push_back(lines_[i]);
    }
    return block;
  }

  Block preamble() {
    PreambleBlock block;
    for (const auto& line : lines_) {
      const auto field = splitKeyValue(line);
      if (!field) {
        malformed();
      } else if (field->key == "Version") {
        block.version = std::string(field->value);
      }
    }
    return block;
  }

  Block device() {
    DeviceBlock block;
    auto count = [&](std::string_view value, std::optional<uint32_t>& target) {
      if (const auto number = parseNumber(value, kMaxPortIndex + 1)) {
        target = number;
      } else {
        malformed();
      }
    };
    for (const auto& line : lines_) {
      const auto field = splitKeyValue(line);
      if (!field) {
        malformed();
        continue;
      }
      const auto [key, value] = *field;
      if (key == "Device present") {
        block.present = parsePresence(value);
        if (!block.present) {
          malformed();
        }
      } else if (key == "Model name") {
        block.model_name = std::string(value);
      } else if (key == "Friendly name") {
        block.friendly_name = std::string(value);
      } else if (key == "Unique ID") {
        block.unique_id = std::string(value);
      } else if (key == "Video inputs") {
        count(value, block.video_inputs);
      } else if (key == "Video outputs") {
        count(value, block.video_outputs);
      } else if (key == "Video processing units") {
        count(value, block.processing_units);
      } else if (key == "Video monitoring outputs") {
        count(value, block.monitoring_outputs);
      } else if (key == "Serial ports") {
        count(value, block.serial_ports);
      }
      // Other keys are newer firmware's additions: ignored, as the protocol asks.
    }
    return block;
  }

  Block labels(PortKind port) {
    LabelsBlock block{port, {}};
    block.labels.reserve(lines_.size());
    for (const auto& line : lines_) {
      if (const auto indexed = splitIndexed(line)) {
        block.labels.push_back(Label{indexed->index, std::string(indexed->value)});
      } else {
        malformed();
      }
    }
    return block;
  }

  Block routing(PortKind destination) {
    RoutingBlock block{destination, {}};
    block.routes.reserve(lines_.size());
    for (const auto& line : lines_) {
      const auto indexed = splitIndexed(line);
      const auto source =
          indexed ? parseNumber(trimRight(indexed->value), kMaxPortIndex) : std::nullopt;
      if (source) {
        block.routes.push_back(Route{indexed->index, *source});
      } else {
        malformed();
      }
    }
    return block;
  }

  Block locks(PortKind port) {
    LocksBlock block{port, {}};
    block.locks.reserve(lines_.size());
    for (const auto& line : lines_) {
      const auto indexed = splitIndexed(line);
      const auto state = indexed ? parseLockCode(trimRight(indexed->value)) : std::nullopt;
      if (state) {
        block.locks.push_back(Lock{indexed->index, *state});
      } else {
        malformed();
      }
    }
    return block;
  }

  Block configuration() {
    ConfigurationBlock block;
    for (const auto& line : lines_) {
      const auto field = splitKeyValue(line);
      if (!field) {
        malformed();
      } else if (field->key == "Take Mode") {
        block.take_mode = parseBool(field->value);
        if (!block.take_mode) {
          malformed();
        }
      }
    }
    return block;
  }

  Block takeMode() {
    TakeModeBlock block;
    for (const auto& line : lines_) {
      const auto indexed = splitIndexed(line);
      const auto enabled = indexed ? parseBool(trimRight(indexed->value)) : std::nullopt;
      if (enabled) {
        block.outputs.push_back(TakeModeEntry{indexed->index, *enabled});
      } else {
        malformed();
      }
    }
    return block;
  }

  const std::vector<std::string>& lines_;
  ParserStats& stats_;
};

}  // namespace

void BlockParser::feed(std::string_view bytes, std::vector<Block>& out) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, newline);
    if (!partial_line_oversized_) {
      if (partial_line_.size() + piece.size() > kMaxLineLength) {
        partial_line_oversized_ = true;
        partial_line_.clear();
        partial_line_.shrink_to_fit();
      } else {
        partial_line_.append(piece);
      }
    }
    if (newline == std::string_view::npos) {
      return;
    }
    bytes.remove_prefix(newline + 1);
    if (partial_line_oversized_) {
      partial_line_oversized_ = false;
      onOversizedLine();
      continue;
    }
    onLine(partial_line_, out);
    partial_line_.clear();
  }
}

void BlockParser::onOversizedLine() {
  ++stats_.oversized_lines;
  // As a body line it is dropped. As a header it leaves the block unidentifiable: its body
  // lines must not be mistaken for a header, so the whole block is skipped.
  if (header_.empty() && !skipping_block_) {
    skipping_block_ = true;
    ++stats_.skipped_blocks;
  }
}

void BlockParser::onLine(std::string& raw_line, std::vector<Block>& out) {
  // CRLF line ends lose their CR; a CR anywhere else becomes a space, as the encoder sends it.
  while (!raw_line.empty() && raw_line.back() == '\r') {
    raw_line.pop_back();
  }
  for (char& c : raw_line) {
    if (c == '\r') {
      c = ' ';
    }
  }
  const std::string_view line = trimRight(trimLeft(raw_line));
  if (line.empty()) {
    if (skipping_block_) {
      skipping_block_ = false;
    } else if (!header_.empty()) {
      finishBlock(out);
    }
    // A blank line outside a block is an empty block: skipped.
    return;
  }
  if (skipping_block_) {
    ++stats_.dropped_lines;
    return;
  }
  if (header_.empty()) {
    header_ = std::string(line);
    return;
  }
  // Label values keep their inner and trailing text; only the line end was stripped.
  const std::string_view body = trimLeft(raw_line);
  if (lines_.size() >= kMaxLinesPerBlock || block_bytes_ + body.size() > kMaxBlockBytes) {
    ++stats_.dropped_lines;
    return;
  }
  block_bytes_ += body.size();
  lines_.emplace_back(body);
}

void BlockParser::finishBlock(std::vector<Block>& out) {
  BlockBuilder builder(lines_, stats_);
  out.push_back(builder.build(header_));
  ++stats_.blocks;
  header_.clear();
  lines_.clear();
  block_bytes_ = 0;
}

void BlockParser::reset() {
  partial_line_.clear();
  partial_line_oversized_ = false;
  header_.clear();
  lines_.clear();
  block_bytes_ = 0;
  skipping_block_ = false;
}

}  // namespace failover::videohub
