#pragma once

// The fault-command language of render-sim, the same on stdin and over MQTT:
//
//   fail CHECK M | warn CHECK M | hang CHECK M      CHECK = engine|videoio|network|diagnostics
//   drop M | critical M [PARAM] [VALUE] | mode M live|edit
//   recover M | recover CHECK M | status | help | quit            M = a machine id or "all"
//
// parseFaultCommand turns a line into a FaultCommand; applyFaultCommand changes the machines
// and says what the runtime must do beyond publishing the new state (cut or restore links,
// stop). Both are pure.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failover/core/result.h"
#include "failover/render_sim/machine_model.h"

namespace failover::render_sim {

enum class Verb { Fail, Warn, Hang, Drop, Critical, Mode, Recover, Status, Help, Quit };

struct FaultCommand {
  Verb verb = Verb::Status;
  std::optional<Check> check;   // fail/warn/hang always; recover when only one check recovers
  std::string machine;          // an id or "all"; empty for status/help/quit
  std::string parameter;        // critical: which parameter (default gpu_temp_c)
  std::optional<double> value;  // critical: its new value (default: 99 for gpu_temp_c)
  std::string mode;             // mode: live | edit
};

// Parses one line (surrounding blanks ignored, words separated by blanks). When the line
// leaves out the machine, `default_machine` is used if not empty (MQTT: the machine in the
// topic): `fail engine`, `hang network`, `drop`, `recover`, `critical`, `mode live`.
core::Result<FaultCommand> parseFaultCommand(std::string_view line,
                                             const std::string& default_machine = "");

struct FaultOutcome {
  std::vector<std::string> answer;     // lines to print; the last is "ok" or "error ..."
  std::vector<std::string> cut;        // machines whose link must be cut now
  std::vector<std::string> reconnect;  // machines whose link must come back
  bool quit = false;
};

// Applies `command` to `machines`. `connected` reports a machine's MQTT link for `status`.
FaultOutcome applyFaultCommand(const FaultCommand& command, std::vector<MachineState>& machines,
                               const std::function<bool(const std::string&)>& connected);

}  // namespace failover::render_sim
