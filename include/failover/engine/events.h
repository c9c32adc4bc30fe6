#pragma once

// What the failover engine observes. The daemon turns MQTT messages, router updates and
// operator commands into these values; the engine never sees JSON, sockets or clocks. Each
// event is handed to FailoverEngine::handle() together with the monotonic time it was
// received, which is the time every decision and staleness timer is measured against.
//
// Ids (machines, pairs, routers) are the configuration's ids. Port numbers are 1-based.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "failover/config/config.h"
#include "failover/core/enum_names.h"
#include "failover/core/route.h"
#include "failover/core/time.h"

namespace failover::engine {

// A status as a health payload reports it. For the status topic (the agent's LWT) Ok means
// "online" and Fail "offline". For diagnostics, Warn is "warning" and Fail is "critical".
enum class Reported { Ok, Warn, Fail };
inline constexpr std::array kReportedNames = {
    core::EnumName{Reported::Ok, "ok"},
    core::EnumName{Reported::Warn, "warn"},
    core::EnumName{Reported::Fail, "fail"},
};
static_assert(core::isNameTable(kReportedNames, Reported::Fail));

// A value read from a health payload for a rule; see FailoverEngine::ruleFields().
using FieldValue = std::variant<double, std::string, bool>;

struct FieldSample {
  std::string path;  // dotted path as written in the rule, e.g. parameters.gpu_temp_c.value
  FieldValue value;
};

// One understood health message. Payloads that are not understood are not events: they do
// not count as a heartbeat. A machine id the configuration does not know is ignored.
struct HealthObserved {
  std::string machine;
  config::Check check = config::Check::Engine;
  Reported status = Reported::Ok;
  std::string detail;  // short human-readable detail from the payload, may be empty
  // Engine check only: the engine's mode ("live", "edit", ...), when the payload names one.
  std::optional<std::string> engine_mode;
  // The payload's values at the paths ruleFields(check) lists; absent paths are left out.
  std::vector<FieldSample> fields;
  // Diagnostics only: names of the parameters whose level is "critical".
  std::vector<std::string> critical_parameters;
  // When the node read the message off the bus, if known. A failure is dated from it (the
  // switch event's `detected`), so the event's detect_to_command includes the node's own
  // queueing; a time later than the `now` passed with the event is ignored.
  std::optional<core::MonoTime> received_at;
};

// How many inputs and outputs a router has, as its prelude says.
struct RouterSize {
  int inputs = 0;
  int outputs = 0;
  friend bool operator==(const RouterSize&, const RouterSize&) = default;
};

// What a router reports. The router's own updates are the truth, whoever caused them.
struct RouterObserved {
  std::string router;
  // True while the connection is up and the prelude has been read; false after a loss.
  bool connected = false;
  // The router says its device is present; routing needs both.
  bool device_present = true;
  // True: `routes` is the router's complete routing (a prelude or a dump) and replaces what
  // the engine knew. False: `routes` lists only outputs whose source changed.
  bool full = false;
  std::vector<core::Route> routes;
  // When set: every output currently locked by ANOTHER client (the full set). Outputs this
  // node locked itself are not listed. Unset: the locks did not change.
  std::optional<std::vector<int>> locked_outputs;
  // With a full routing: the router's real size. Ports beyond it cannot be switched.
  std::optional<RouterSize> size;
};

// The node's own link to the broker went down or came back.
struct BusConnectionChanged {
  bool connected = false;
};

// Who asked for a command, echoed in the reply and in events.
struct CommandMeta {
  std::string command_id;                   // echoed in CommandReply; chosen by the daemon
  std::optional<std::string> requested_by;  // e.g. the MQTT client or the dashboard
  std::optional<std::string> transaction;   // the request's transaction, echoed
};

// Switch a pair to `target` (a machine id of the pair, or "other" for the machine that is
// not active). Acts in the same handle() call; answered when the router confirms.
struct SwitchCommand {
  std::string pair;
  std::string target;
  bool force = false;  // switch even to an unhealthy (or busy) machine
  CommandMeta meta;
  // When the node read the command off the bus, if known; the switch's `detected` is dated
  // from it (ignored if later than the `now` passed with the event).
  std::optional<core::MonoTime> received_at = std::nullopt;
};

struct SetMode {
  std::string pair;
  config::FailoverMode mode = config::FailoverMode::Auto;
  CommandMeta meta;
};

struct SetArmed {
  std::string pair;
  bool armed = true;
  CommandMeta meta;
};

// A disabled router is not routed to; the daemon also closes its connection.
struct SetRouterEnabled {
  std::string router;
  bool enabled = true;
  CommandMeta meta;
};

// A state request: answered at once with the pair's state in CommandReply::data.
struct GetState {
  std::string pair;
  CommandMeta meta;
};

// What became of the routing block of RouteRequest `request_id` (see core::BlockOutcome).
// It never confirms a switch: only the router's routing (RouterObserved) does.
struct RouteBlockReport {
  uint64_t request_id = 0;
  core::BlockOutcome outcome;
};

// Cluster mode (SPEC 8.1): whether this node is the one in charge. A node that is not (a
// standby) runs the engine in shadow: it keeps health, routing, dwell and failback times as
// they are observed, but decides no switch; the node does not hand it commands. When it comes
// into charge every pair is decided afresh from the health and the routing observed then,
// exactly as when a router returns. A node without a cluster is always in charge.
struct ControlChanged {
  bool in_charge = true;
};

using Event =
    std::variant<HealthObserved, RouterObserved, BusConnectionChanged, SwitchCommand, SetMode,
                 SetArmed, SetRouterEnabled, GetState, RouteBlockReport, ControlChanged>;

const char* toString(Reported status);

}  // namespace failover::engine
