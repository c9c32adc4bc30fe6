#pragma once

// Turns a health message from a render machine or the diagnostics service (SPEC 5.1) into
// the engine's HealthObserved. JSON objects and plain strings are accepted; anything else is
// rejected with a short reason, counted by the caller, and changes nothing (it does not
// count as a heartbeat).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "failover/core/result.h"
#include "failover/daemon/topics.h"
#include "failover/engine/events.h"

namespace failover::daemon {

// Health payloads are small; anything bigger is refused before parsing.
inline constexpr std::size_t kMaxHealthPayloadBytes = 64 * 1024;
// Details copied into states and events are cut to this length.
inline constexpr std::size_t kMaxDetailLength = 200;

// Reasons in the error Status's message, used as counter names.
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kInvalidJson = "invalid_json";
inline constexpr std::string_view kWrongType = "wrong_type";
inline constexpr std::string_view kUnknownStatus = "unknown_status";

// `rule_fields`: the dotted paths the rules read for this check (FailoverEngine::ruleFields).
core::Result<engine::HealthObserved> parseHealthPayload(
    const HealthTopic& topic, std::string_view payload,
    const std::vector<std::string>& rule_fields);

}  // namespace failover::daemon
