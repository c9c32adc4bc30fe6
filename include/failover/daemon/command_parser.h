#pragma once

// Turns the node's MQTT commands (SPEC 5.3, 8.3) into engine events. A pair's `set` JSON,
// `set/<attr>` plain strings and `request/<cmd>` JSON are all accepted, and a router's
// `set/enabled` as ON/OFF or as JSON {"enabled":...}; what cannot be understood becomes a
// bad_request with a one-line message, never an exception.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failover/daemon/topics.h"
#include "failover/engine/events.h"

namespace failover::daemon {

inline constexpr std::size_t kMaxCommandPayloadBytes = 16 * 1024;

struct ParsedCommand {
  std::vector<engine::Event> events;  // in payload order; empty when `error` is set
  std::optional<std::string> transaction;
  std::optional<std::string> error;  // bad_request message
};

// `command_id` is stamped on every event's meta (the node matches replies with it);
// `requested_by` names the sender when the payload does not.
ParsedCommand parseCommand(const CommandTopic& topic, std::string_view payload,
                           const std::string& command_id, const std::string& requested_by);

// The requests the node itself answers on B/node/request/<name>.
inline constexpr const char* kReloadRequest = "reload";

// A request to the node itself: an empty payload or a JSON object with the optional keys
// `transaction` and `requested_by`.
struct NodeRequest {
  std::string name;
  std::optional<std::string> transaction;
  std::string requested_by;
  std::optional<std::string> error;  // bad_request message
};

// REQUIRES: `topic.node`. `requested_by` names the sender when the payload does not.
NodeRequest parseNodeRequest(const CommandTopic& topic, std::string_view payload,
                             const std::string& requested_by);

}  // namespace failover::daemon
