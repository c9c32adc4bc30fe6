#pragma once

// The records of the audit trail (docs/operations.md): one JSON object per line, built from
// what the node already reports elsewhere (switch events, changed settings, command replies)
// and from what the daemon itself does (start, stop, reload, takeover). Every line has the
// same members: ts, node_id, event_type, pair, router, from, to, reason, requested_by,
// transaction and result; a type may add more (a switch's seq, error and latencies, ...).

#include <array>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "failover/core/enum_names.h"
#include "failover/core/time.h"
#include "failover/daemon/json_views.h"
#include "failover/engine/actions.h"
#include "failover/engine/events.h"
#include "failover/engine/switch_event.h"

namespace failover::daemon {

enum class AuditEventType {
  // Switches: the event_type of B/pair/<p>/event.
  Failover,
  ManualSwitch,
  Failback,
  ExternalSwitch,
  SwitchFailed,
  // Run-time settings, named as in the state file.
  Mode,
  Armed,
  RouterEnabled,
  // The node itself.
  Reload,
  Takeover,
  NodeStart,
  NodeStop,
};
inline constexpr std::array kAuditEventTypeNames = {
    core::EnumName{AuditEventType::Failover, "failover"},
    core::EnumName{AuditEventType::ManualSwitch, "manual_switch"},
    core::EnumName{AuditEventType::Failback, "failback"},
    core::EnumName{AuditEventType::ExternalSwitch, "external_switch"},
    core::EnumName{AuditEventType::SwitchFailed, "switch_failed"},
    core::EnumName{AuditEventType::Mode, "mode"},
    core::EnumName{AuditEventType::Armed, "armed"},
    core::EnumName{AuditEventType::RouterEnabled, "router_enabled"},
    core::EnumName{AuditEventType::Reload, "reload"},
    core::EnumName{AuditEventType::Takeover, "takeover"},
    core::EnumName{AuditEventType::NodeStart, "node_start"},
    core::EnumName{AuditEventType::NodeStop, "node_stop"},
};
static_assert(core::isNameTable(kAuditEventTypeNames, AuditEventType::NodeStop));

const char* toString(AuditEventType type);

struct AuditRecord {
  AuditEventType type = AuditEventType::NodeStart;
  std::string pair;    // empty (null in the line) when the record is not about a pair
  std::string router;  // the same for a router
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::string reason;  // short code: "health", "manual", "command", "signal 15", ...
  std::optional<std::string> requested_by;
  std::optional<std::string> transaction;
  // "ok"; "failed" when it was attempted and did not succeed (the router refused the routing
  // or never confirmed it, a reload was invalid); "refused" when it was not attempted (a
  // switch request while the router is disconnected).
  std::string result = "ok";
  // Members only this type of record has, written after the common ones in this order.
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
};

// The record as one line of JSON (no newline), stamped with `node_id` and `at`.
std::string auditLine(const AuditRecord& record, const std::string& node_id, core::WallTime at);

// A switch, failed switch or external switch, as published on B/pair/<p>/event.
AuditRecord switchAuditRecord(const engine::SwitchEvent& event, const TimeBase& time_base);
// A changed run-time setting (mode, armed, router enabled).
AuditRecord settingAuditRecord(const engine::AuditEvent& event);
// A switch request the engine refused before anything was sent to the router.
AuditRecord refusedSwitchAuditRecord(const engine::SwitchCommand& command,
                                     const engine::CommandReply& reply);
// A reload of the configuration file: `applied`, or refused with `reason` (what was wrong).
AuditRecord reloadAuditRecord(bool applied, std::string reason,
                              std::optional<std::string> requested_by,
                              std::optional<std::string> transaction);
// In cluster mode: the node in charge changed from `from` to `to` in `term`.
AuditRecord takeoverAuditRecord(std::optional<std::string> from, std::string to, std::string reason,
                                uint64_t term);
// The daemon started (with its version and the hash of its configuration file), or stops.
AuditRecord nodeStartAuditRecord(const std::string& version, const std::string& config_hash);
AuditRecord nodeStopAuditRecord(std::string reason);

}  // namespace failover::daemon
