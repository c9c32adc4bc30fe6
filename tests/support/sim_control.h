#pragma once

// Talking to videohub-sim's control channel on its stdin/stdout, as tests and labs do: one
// command line in, one answer line (`ok ...` or `error ...`) out.

#include <map>
#include <string>

#include "support/child_process.h"

namespace failover::testing {

// Sends `command` to the simulator run as `sim` and returns its answer line (at most 3 s);
// "error no simulator" / "error no answer" when there is none.
std::string simCommand(ChildProcess* sim, const std::string& command);

// The routing in the simulator's `status` answer (`... routes=1:1,2:1,...`), 1-based output →
// input; empty when it has none.
std::map<int, int> parseSimRoutes(const std::string& status);

}  // namespace failover::testing
