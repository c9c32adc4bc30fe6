#include "failover/daemon/json_views.h"

#include <cstdio>
#include <ctime>

namespace failover::daemon {
namespace {

using Json = nlohmann::json;

template <typename T>
Json optionalJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

double millisBetween(core::MonoTime from, core::MonoTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Rounded to microseconds: sub-microsecond digits are noise on any real system.
double roundMicros(double ms) {
  return static_cast<double>(static_cast<int64_t>(ms * 1000.0 + 0.5)) / 1000.0;
}

const char* reasonCode(engine::SwitchEventType type) {
  switch (type) {
    case engine::SwitchEventType::Failover:
      return "health";
    case engine::SwitchEventType::ManualSwitch:
      return "manual";
    case engine::SwitchEventType::Failback:
      return "failback";
    case engine::SwitchEventType::ExternalSwitch:
      return "external";
    case engine::SwitchEventType::SwitchFailed:
      return "failed";
  }
  return "unknown";
}

std::string reasonCode(const engine::SwitchEvent& event) {
  return reasonCode(event.type == engine::SwitchEventType::SwitchFailed ? event.attempted
                                                                        : event.type);
}

}  // namespace

std::string rfc3339(core::WallTime time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  std::time_t whole = static_cast<std::time_t>(seconds.count());
  if (millis < 0) {
    millis += 1000;
    --whole;
  }
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

std::optional<double> totalLatencyMs(const engine::SwitchEvent& event) {
  if (!event.detected || !event.confirmed) {
    return std::nullopt;
  }
  return roundMicros(millisBetween(*event.detected, *event.confirmed));
}

Json switchEventJson(const engine::SwitchEvent& event, const TimeBase& time_base) {
  Json json;
  json["event_type"] = engine::toString(event.type);
  json["pair"] = event.pair;
  json["seq"] = event.seq;
  json["from"] = optionalJson(event.from);
  json["to"] = optionalJson(event.to);
  // `reason` is the short code of SPEC 5.2 ("health" for an automatic failover); the
  // engine's sentence goes to `description` for people.
  json["reason"] = reasonCode(event);
  json["description"] = event.reason;
  if (event.trigger) {
    json["trigger"] = {{"machine", event.trigger->machine},
                       {"check", event.trigger->check},
                       {"status", event.trigger->status},
                       {"detail", event.trigger->detail}};
  } else {
    json["trigger"] = nullptr;
  }
  json["requested_by"] = optionalJson(event.requested_by);
  json["transaction"] = optionalJson(event.transaction);
  json["mode"] = config::toString(event.mode);
  Json signals = Json::array();
  for (const auto& signal : event.signals) {
    signals.push_back({{"signal", signal.signal},
                       {"outputs", signal.outputs},
                       {"input_from", optionalJson(signal.input_from)},
                       {"input_to", signal.input_to}});
  }
  json["router"] = {{"id", event.router},
                    {"outputs", event.outputs},
                    {"input_from", optionalJson(event.input_from)},
                    {"input_to", optionalJson(event.input_to)},
                    {"signals", std::move(signals)}};
  auto stamp = [&](const std::optional<core::MonoTime>& time) {
    return time ? Json(rfc3339(time_base.toWall(*time))) : Json(nullptr);
  };
  json["ts"] = {{"detected", stamp(event.detected)},
                {"commanded", stamp(event.commanded)},
                {"confirmed", stamp(event.confirmed)}};
  auto latency = [](const std::optional<core::MonoTime>& from,
                    const std::optional<core::MonoTime>& to) {
    return from && to ? Json(roundMicros(millisBetween(*from, *to))) : Json(nullptr);
  };
  json["latency_ms"] = {{"detect_to_command", latency(event.detected, event.commanded)},
                        {"command_to_confirm", latency(event.commanded, event.confirmed)},
                        {"total", latency(event.detected, event.confirmed)}};
  json["result"] = event.ok ? "ok" : "failed";
  if (event.type == engine::SwitchEventType::SwitchFailed) {
    json["attempted"] = engine::toString(event.attempted);
  }
  if (event.error) {
    json["error"] = {{"code", engine::toString(*event.error)}, {"message", event.error_message}};
  }
  return json;
}

Json pairStateJson(const engine::PairView& view, const TimeBase& time_base) {
  Json machines = Json::object();
  for (const auto& machine : view.machines) {
    Json checks = Json::object();
    for (const auto& check : machine.checks) {
      checks[config::toString(check.check)] = {{"status", engine::toString(check.status)},
                                               {"detail", check.detail}};
    }
    machines[machine.id] = {{"healthy", machine.healthy},
                            {"critical", machine.critical},
                            {"status", engine::toString(machine.status)},
                            {"engine_mode", optionalJson(machine.engine_mode)},
                            {"active_rules", machine.active_rules},
                            {"checks", std::move(checks)}};
  }
  Json signals = Json::array();
  for (const auto& signal : view.router.signals) {
    signals.push_back({{"signal", signal.signal},
                       {"outputs", signal.outputs},
                       {"main_input", signal.main_input},
                       {"backup_input", signal.backup_input},
                       {"input", optionalJson(signal.input)}});
  }
  Json warnings = Json::array();
  for (const auto& warning : view.warnings) {
    warnings.push_back({{"code", warning.code}, {"message", warning.message}});
  }
  return {{"pair", view.pair},
          {"main", view.main},
          {"backup", view.backup},
          {"active", optionalJson(view.active)},
          {"mode", config::toString(view.mode)},
          {"armed", view.armed},
          {"failover", engine::toString(view.failover)},
          {"switch_advised", view.switch_advised},
          {"machines", std::move(machines)},
          {"router",
           {{"id", view.router.id},
            {"enabled", view.router.enabled},
            {"connected", view.router.connected},
            {"outputs", view.router.outputs},
            {"input", optionalJson(view.router.input)},
            {"locked_outputs", view.router.locked_outputs},
            {"signals", std::move(signals)}}},
          {"warnings", std::move(warnings)},
          {"last_switch",
           view.last_switch ? switchEventJson(*view.last_switch, time_base) : Json(nullptr)}};
}

Json errorReplyJson(const std::optional<std::string>& transaction, std::string_view code,
                    const std::string& message) {
  return {{"status", "error"},
          {"code", code},
          {"error", message},
          {"transaction", optionalJson(transaction)}};
}

Json commandReplyJson(const engine::CommandReply& reply, const TimeBase& time_base) {
  if (!reply.ok) {
    Json json =
        errorReplyJson(reply.transaction,
                       reply.error ? engine::toString(*reply.error) : "bad_request", reply.message);
    if (reply.event) {
      json["data"] = {{"event", switchEventJson(*reply.event, time_base)}};
    }
    return json;
  }
  Json data = Json::object();
  if (reply.state) {
    data["state"] = pairStateJson(*reply.state, time_base);
  }
  if (reply.event) {
    data["event"] = switchEventJson(*reply.event, time_base);
  }
  return {{"status", "ok"},
          {"transaction", optionalJson(reply.transaction)},
          {"data", std::move(data)}};
}

Json routerStatusJson(const RouterStatus& status) {
  return {{"id", status.id},
          {"enabled", status.enabled},
          {"connected", status.connected},
          {"state", status.state},
          {"reason", status.reason},
          {"address", status.address},
          {"model", status.model},
          {"friendly_name", status.friendly_name},
          {"protocol", status.protocol},
          {"inputs", status.inputs},
          {"outputs", status.outputs},
          {"locked_outputs", status.locked_outputs}};
}

Json facilityJson(const config::Config& config) {
  Json machines = Json::array();
  for (const auto& machine : config.machines) {
    Json inputs = Json::object();
    for (const auto& entry : config::machineInputs(machine)) {
      inputs[entry.signal] = entry.input;
    }
    machines.push_back({{"id", machine.id}, {"label", machine.label}, {"inputs", inputs}});
  }
  Json pairs = Json::array();
  for (const auto& pair : config.pairs) {
    Json signals = Json::array();
    for (const auto& entry : config::pairSignals(pair)) {
      signals.push_back({{"signal", entry.signal}, {"outputs", entry.outputs}});
    }
    pairs.push_back({{"id", pair.id},
                     {"router", pair.router},
                     {"main", pair.main},
                     {"backup", pair.backup},
                     {"signals", std::move(signals)}});
  }
  return {{"machines", std::move(machines)}, {"pairs", std::move(pairs)}};
}

Json auditEventJson(const engine::AuditEvent& event, core::WallTime at) {
  return {{"event_type", "setting_changed"},
          {"setting", event.setting},
          {"pair", event.pair.empty() ? Json(nullptr) : Json(event.pair)},
          {"router", event.router.empty() ? Json(nullptr) : Json(event.router)},
          {"from", event.from},
          {"to", event.to},
          {"requested_by", optionalJson(event.requested_by)},
          {"transaction", optionalJson(event.transaction)},
          {"ts", rfc3339(at)}};
}

}  // namespace failover::daemon
