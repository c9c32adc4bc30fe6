#pragma once

// Input labels this node keeps on a router (routers.<id>.write_labels): the pure part, with no
// sockets. The client (VideohubClient) decides when to write; this decides what.
//
// - Labels are made safe for the protocol first: a label is the rest of ONE line, so control
//   characters (newlines above all) become spaces; surrounding blanks are trimmed; the length is
//   capped at kMaxLabelBytes bytes without splitting a UTF-8 character (one widely used client
//   caps at 64 "because the hub does"; unconfirmed, so we stay within it).
// - Only labels that differ from what the router shows (the mirror) are written, in ONE
//   INPUT LABELS block. Inputs outside the router's size are left out and reported.
//
// Port numbers are 1-based, as in the configuration.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failover/videohub/blocks.h"
#include "failover/videohub_client/router_state.h"

namespace failover::videohub_client {

inline constexpr size_t kMaxLabelBytes = 64;

// 1-based input → label the node wants the router to show.
using InputLabels = std::map<uint32_t, std::string>;

// `text` as a label the router keeps byte for byte: one line, no surrounding blanks, at most
// kMaxLabelBytes. May return "" (the caller picks a fallback; an empty label is never written).
std::string sanitizeLabel(std::string_view text);

struct LabelPlan {
  // The INPUT LABELS request (zero-based indexes), or nullopt when every label already matches.
  std::optional<videohub::LabelsBlock> block;
  std::vector<uint32_t> inputs;        // 1-based inputs in `block`, ascending
  std::vector<uint32_t> out_of_range;  // 1-based inputs the router does not have
};

// What to write so that `state` shows `desired` (each label sanitised first; empty ones are
// skipped). Needs the device counts and the router's INPUT LABELS in `state`.
LabelPlan planInputLabels(const InputLabels& desired, const RouterState& state);

}  // namespace failover::videohub_client
