#pragma once

// What the failover engine asks the daemon to do. Every action is plain data; the daemon
// executes them in the order given. Actions that come from one decision carry a
// human-readable reason; the daemon logs it (the engine never logs).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "failover/config/config.h"
#include "failover/config/state_file.h"
#include "failover/engine/events.h"
#include "failover/engine/pair_view.h"
#include "failover/engine/switch_event.h"

namespace failover::engine {

// Send ONE routing block to `router` holding every route. The engine merges all pairs of one
// router that switch in the same handle()/tick() call into one request (e.g. all 144 pairs
// of a 288x288 router failing at once), so the daemon sends each RouteRequest as one salvo
// and reports what became of it as RouteBlockReport events with the same request_id.
struct RouteRequest {
  uint64_t request_id = 0;
  std::string router;
  std::vector<core::Route> routes;  // every output of every pair below
  std::vector<std::string> pairs;   // the pairs switched by this block, in config order
  std::string reason;
  friend bool operator==(const RouteRequest&, const RouteRequest&) = default;
};

// The pair's published state changed; publish pairView(pair).
struct PairStateChanged {
  std::string pair;
  friend bool operator==(const PairStateChanged&, const PairStateChanged&) = default;
};

// A switch, a failed switch or an external switch: publish on B/pair/<p>/event and
// last_event, and log it.
struct SwitchEventAction {
  SwitchEvent event;
  friend bool operator==(const SwitchEventAction&, const SwitchEventAction&) = default;
};

// A run-time setting changed (mode, armed, router enabled): publish and log who did it.
struct AuditEvent {
  std::string setting;  // "mode", "armed" or "router_enabled"
  std::string pair;     // for mode and armed
  std::string router;   // for router_enabled
  std::string from;     // "auto"/"manual", "ON"/"OFF"
  std::string to;
  std::optional<std::string> requested_by;
  std::optional<std::string> transaction;
  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// The answer to a command event, once. `ok` false carries an error code and message.
struct CommandReply {
  std::string command_id;
  std::string pair;  // empty for router commands
  std::optional<std::string> transaction;
  bool ok = true;
  std::optional<ErrorCode> error;
  std::string message;
  std::optional<PairView> state;     // the pair's state after the command (pair commands)
  std::optional<SwitchEvent> event;  // for a switch: the confirmed (or failed) switch
  friend bool operator==(const CommandReply&, const CommandReply&) = default;
};

// A condition an operator should know about appeared (e.g. an output locked by another
// client, a Backup that is busy or unhealthy when it is needed). It also shows in the pair's
// warnings[] for as long as it holds. Emitted once when it appears.
struct Warning {
  std::string pair;  // empty for router-wide warnings
  std::string code;
  std::string message;
  friend bool operator==(const Warning&, const Warning&) = default;
};

// Connect to `router` (enabled) or close the connection to it and stay away (disabled): an
// operator enabled or disabled the router. The engine routes to it again only once the router
// reports its routing (RouterObserved) after it reconnected.
struct SetRouterConnection {
  std::string router;
  bool enabled = true;
  friend bool operator==(const SetRouterConnection&, const SetRouterConnection&) = default;
};

// Save the run-time settings (config::saveRunState) now; they changed.
struct SaveRunState {
  config::RunState state;
  friend bool operator==(const SaveRunState&, const SaveRunState&) = default;
};

using Action = std::variant<RouteRequest, PairStateChanged, SwitchEventAction, AuditEvent,
                            CommandReply, Warning, SetRouterConnection, SaveRunState>;

}  // namespace failover::engine
