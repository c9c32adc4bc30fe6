#pragma once

// What one simulated render machine currently reports: per check a level and whether it has
// gone silent, the engine mode, its diagnostics parameters, and whether its network is cut.
// Pure data plus the payload builders; the runtime publishes what these return.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "failover/core/time.h"

namespace failover::render_sim {

// The periodic topics of a machine.
enum class Check { Engine, VideoIo, Network, Diagnostics };
inline constexpr std::array<Check, 4> kAllChecks = {Check::Engine, Check::VideoIo, Check::Network,
                                                    Check::Diagnostics};

// ok / warn / fail; on the diagnostics topic they read ok / warning / critical.
enum class Level { Ok, Warn, Fail };

struct Parameter {
  std::string name;
  double value = 0;
  std::string level = "ok";  // ok | warning | critical

  friend bool operator==(const Parameter&, const Parameter&) = default;
};

struct MachineState {
  std::string id;
  std::array<Level, 4> levels{};      // indexed by Check
  std::array<bool, 4> hung{};         // true: that topic is silent
  std::string mode = "live";          // engine mode: live | edit
  bool dropped = false;               // network cut: every topic silent, LWT fired
  std::vector<Parameter> parameters;  // diagnostics parameters, in publish order
  uint64_t seq = 0;                   // one per publish round

  // A healthy machine in `mode` with the default parameters.
  static MachineState healthy(std::string id, std::string mode);
  Level& level(Check check) { return levels[static_cast<std::size_t>(check)]; }
  Level level(Check check) const { return levels[static_cast<std::size_t>(check)]; }
  bool& isHung(Check check) { return hung[static_cast<std::size_t>(check)]; }
  bool isHung(Check check) const { return hung[static_cast<std::size_t>(check)]; }
  // Whether `check` is published this round.
  bool publishes(Check check) const { return !dropped && !isHung(check); }
};

// The parameters of a healthy machine (gpu_temp_c 71, ...).
std::vector<Parameter> defaultParameters();

const char* checkName(Check check);  // engine | videoio | network | diagnostics
const char* levelName(Level level);  // ok | warn | fail

// The diagnostics status: critical if the check failed or any parameter is critical,
// warning likewise, else ok.
std::string diagnosticsStatus(const MachineState& state);

// JSON payload of one periodic topic.
std::string buildPayload(const MachineState& state, Check check, core::WallTime now);

// "green-main link=up mode=live engine=ok videoio=fail network=ok(hung) diagnostics=ok"
std::string statusLine(const MachineState& state, bool connected);

// RFC 3339 UTC with milliseconds: 2026-01-31T12:00:00.123Z
std::string formatTimestamp(core::WallTime time);

}  // namespace failover::render_sim
