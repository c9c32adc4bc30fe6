#pragma once

// Renders blocks as protocol bytes: always LF line ends, exactly one blank line after each
// block, never a double blank line. Used by the client for requests and by the simulator
// for its status blocks. Text (labels, names, an unknown block's header and lines) is sent
// as given except that CR and LF, which would break the framing, become spaces; an unknown
// block's blank lines are left out, since a blank line ends a block. Optional fields that
// are unset or empty are left out rather than sent empty.

#include <string>

#include "failover/videohub/blocks.h"

namespace failover::videohub {

// Appends the bytes of `block` to `out`.
void encodeBlock(const Block& block, std::string& out);

// The bytes of `block` as a new string.
std::string encodeBlock(const Block& block);

// "HEADER:\n\n": asks the router for the complete current block (answered with ACK, then
// the block). `block` names the header by example, e.g. RoutingBlock{PortKind::VideoOutput}.
std::string encodeDumpRequest(const Block& block);

// "PING:\n\n", answered with ACK.
std::string encodePing();

}  // namespace failover::videohub
