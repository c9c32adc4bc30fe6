#pragma once

// Golden transcripts of Videohub sessions (tests/data/videohub/<name>.txt) and their
// expected parse, read from the hand-written sidecar <name>.json. The sidecar spells every
// block out field by field, so the expectation never comes from the code under test.

#include <string>
#include <vector>

#include "failover/videohub/block_parser.h"
#include "failover/videohub/blocks.h"

namespace failover::videohub::testing {

struct Transcript {
  std::string name;
  std::string bytes;          // the transcript exactly as stored
  std::vector<Block> blocks;  // expected blocks, in stream order
  ParserStats stats;          // expected parser counters after the whole transcript
};

// Every transcript in tests/data/videohub that has a sidecar, by name without extension.
std::vector<std::string> transcriptNames();

// Reads a transcript and its sidecar; a broken sidecar fails the calling test.
Transcript loadTranscript(const std::string& name);

// Reads a file of tests/data/videohub as bytes.
std::string readDataFile(const std::string& file_name);

}  // namespace failover::videohub::testing
