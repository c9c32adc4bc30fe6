#pragma once

// JSON renderings of what the node publishes (SPEC 5.2, docs/mqtt-api.md): pair state,
// switch events, command responses and router state. Monotonic times from the engine are
// shown as RFC 3339 UTC wall-clock times through a TimeBase taken once at start; latencies
// are differences of monotonic times, in fractional milliseconds.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "failover/core/time.h"
#include "failover/engine/actions.h"
#include "failover/engine/pair_view.h"
#include "failover/engine/switch_event.h"

namespace failover::daemon {

// Maps monotonic times onto the wall clock, from one reading of both clocks.
struct TimeBase {
  core::MonoTime mono;
  core::WallTime wall;
  core::WallTime toWall(core::MonoTime time) const {
    return wall + std::chrono::duration_cast<core::WallClock::duration>(time - mono);
  }
};

// "2026-11-25T10:15:30.123Z"
std::string rfc3339(core::WallTime time);

// What a router connection looks like to dashboards (B/router/<r>/state).
struct RouterStatus {
  std::string id;
  bool enabled = true;
  bool connected = false;  // connected and the prelude read
  std::string state =
      "connecting";  // connecting, syncing, ready, unavailable, disconnected, disabled
  std::string reason;
  std::string address;
  std::string model;
  std::string friendly_name;
  std::string protocol;
  int inputs = 0;
  int outputs = 0;
  std::vector<int> locked_outputs;  // 1-based, locked by anyone
  friend bool operator==(const RouterStatus&, const RouterStatus&) = default;
};

nlohmann::json pairStateJson(const engine::PairView& view, const TimeBase& time_base);
nlohmann::json switchEventJson(const engine::SwitchEvent& event, const TimeBase& time_base);
// The total latency of a confirmed switch (detected → confirmed), when both are known.
std::optional<double> totalLatencyMs(const engine::SwitchEvent& event);
nlohmann::json commandReplyJson(const engine::CommandReply& reply, const TimeBase& time_base);
nlohmann::json errorReplyJson(const std::optional<std::string>& transaction, std::string_view code,
                              const std::string& message);
nlohmann::json routerStatusJson(const RouterStatus& status);
// The facility as configured, for dashboards that build themselves from `B/node/info`:
// machines with their label and signal inputs, pairs with their machines and signals.
nlohmann::json facilityJson(const config::Config& config);
nlohmann::json auditEventJson(const engine::AuditEvent& event, core::WallTime at);

}  // namespace failover::daemon
