#pragma once

// The control language of videohub-sim: one command per line, read from stdin or a loopback
// TCP port, each answered with one line starting "ok" or "error <reason>". Parsing is pure;
// SimServer executes the parsed command. Port numbers are 1-based as on the front panel; the
// parsed command holds them ZERO-based, as the model uses them.

#include <cstdint>
#include <string>
#include <string_view>

#include "failover/core/result.h"
#include "failover/sim/router_model.h"
#include "failover/videohub/blocks.h"

namespace failover::sim {

enum class ControlVerb {
  Route,           // route OUT IN                 -> output, input
  Label,           // label input|output N TEXT    -> port, index, text
  Lock,            // lock OUT IP                  -> output, text (IP)
  Unlock,          // unlock OUT                   -> output
  BurstLimit,      // burst-limit N MS | off       -> count, millis, on
  AckDelay,        // ack-delay MS                 -> millis
  WithholdAcks,    // withhold-acks on|off         -> on
  Silent,          // silent on|off                -> on
  Close,           // close
  Redump,          // redump INPUTS OUTPUTS        -> count (inputs), millis (outputs)
  DevicePresent,   // device-present true|false|needs_update -> presence
  SplitWrites,     // split-writes N | off         -> count, on
  Coalesce,        // coalesce MS | off            -> millis, on
  LockedRoute,     // locked-route nak|ack         -> refusal
  EndPrelude,      // end-prelude on|off           -> on
  Status,          // status
  Clients,         // clients
  WaitClients,     // wait-clients N MS            -> count, millis
  Quit,            // quit
  RouteBeforeAck,  // route-before-ack OUT IN | off -> output, input, on
  Refuse,          // refuse IP on|off             -> text (IP), on
};

struct ControlCommand {
  ControlVerb verb = ControlVerb::Status;
  uint32_t output = 0;  // zero-based
  uint32_t input = 0;   // zero-based
  uint32_t index = 0;   // zero-based label index
  uint32_t count = 0;
  uint32_t millis = 0;
  uint32_t outputs = 0;  // redump
  bool on = false;
  std::string text;  // label text, a lock holder's or a refused client's IP address
  videohub::PortKind port = videohub::PortKind::VideoOutput;
  videohub::DevicePresence presence = videohub::DevicePresence::Present;
  RefusalReply refusal = RefusalReply::Nak;
};

// Parses one line (without its newline; a trailing CR is ignored). The error message is the
// reason printed after "error ".
core::Result<ControlCommand> parseControlCommand(std::string_view line);

}  // namespace failover::sim
