#pragma once

// The command line of videohub-sim (see docs/videohub-sim.md for every flag). Parsing is
// pure: it checks every value and names the offending flag, and never exits the process.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "failover/core/result.h"
#include "failover/sim/router_model.h"

namespace failover::sim {

// Accept `count` request blocks per `window_ms`; later blocks in the window are ACKed and
// dropped, as a real 16x16 unit does under a burst.
struct BurstLimit {
  uint32_t count = 0;
  uint32_t window_ms = 0;
  friend bool operator==(const BurstLimit&, const BurstLimit&) = default;
};

// Faults the control channel can switch at run time; the flags set their start values.
struct FaultSettings {
  std::optional<BurstLimit> burst_limit;
  uint32_t ack_delay_ms = 0;   // every ACK/NAK (and what follows it) waits this long
  bool withhold_acks = false;  // requests are applied and echoed, never answered
  bool silent = false;         // nothing is sent, requests are ignored, sockets stay open
  uint32_t split_writes = 0;   // 0 = off; else every write carries at most this many bytes
  uint32_t coalesce_ms = 0;    // 0 = off; else outgoing bytes wait this long, then one write
};

enum class ControlMode { Stdin, None, Tcp };

struct SimOptions {
  RouterSettings router;
  FaultSettings faults;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 9990;
  bool allow_remote = false;
  ControlMode control = ControlMode::Stdin;
  std::string control_host = "127.0.0.1";
  uint16_t control_port = 0;
  std::optional<uint32_t> duration_s;
  std::string log_level = "info";
  bool help = false;  // --help: print usageText() and exit
};

// Parses the arguments after the program name. Flags take their value as the next argument
// or after '='. Errors: unknown flag, missing or bad value, a non-loopback listen or control
// address without --allow-remote (control is always loopback-only).
core::Result<SimOptions> parseSimOptions(const std::vector<std::string>& args);

std::string usageText();

}  // namespace failover::sim
