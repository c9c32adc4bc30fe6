#pragma once

// Test helper: protocol text → blocks, through the real parser.

#include <string_view>
#include <vector>

#include "failover/videohub/block_parser.h"

namespace failover::videohub_client::testing {

inline std::vector<videohub::Block> parseWire(std::string_view text) {
  videohub::BlockParser parser;
  std::vector<videohub::Block> blocks;
  parser.feed(text, blocks);
  return blocks;
}

inline constexpr std::string_view kPrelude2x3 =
    "PROTOCOL PREAMBLE:\nVersion: 2.8\n\n"
    "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Videohub 10x10 12G\n"
    "Friendly name: Studio Router\nUnique ID: 0123456789AB\nVideo inputs: 3\nVideo outputs: 2\n\n"
    "INPUT LABELS:\n0 Render A Main\n1 Render A Backup\n2 Camera  3\n\n"
    "OUTPUT LABELS:\n0 Vision Mixer In 1\n1 Monitor\n\n"
    "VIDEO OUTPUT LOCKS:\n0 U\n1 L\n\n"
    "VIDEO OUTPUT ROUTING:\n0 0\n1 2\n\n";

}  // namespace failover::videohub_client::testing
