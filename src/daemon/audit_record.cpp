#include "failover/daemon/audit_record.h"

#include <utility>

namespace failover::daemon {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

template <typename T>
OrderedJson optionalJson(const std::optional<T>& value) {
  return value ? OrderedJson(*value) : OrderedJson(nullptr);
}

OrderedJson emptyAsNull(const std::string& text) {
  return text.empty() ? OrderedJson(nullptr) : OrderedJson(text);
}

AuditEventType auditTypeOf(engine::SwitchEventType type) {
  switch (type) {
    case engine::SwitchEventType::Failover:
      return AuditEventType::Failover;
    case engine::SwitchEventType::ManualSwitch:
      return AuditEventType::ManualSwitch;
    case engine::SwitchEventType::Failback:
      return AuditEventType::Failback;
    case engine::SwitchEventType::ExternalSwitch:
      return AuditEventType::ExternalSwitch;
    case engine::SwitchEventType::SwitchFailed:
      return AuditEventType::SwitchFailed;
  }
  return AuditEventType::SwitchFailed;
}

AuditEventType auditTypeOfSetting(const std::string& setting) {
  if (setting == "mode") {
    return AuditEventType::Mode;
  }
  if (setting == "armed") {
    return AuditEventType::Armed;
  }
  return AuditEventType::RouterEnabled;
}

}  // namespace

const char* toString(AuditEventType type) {
  return core::nameOf(kAuditEventTypeNames, type);
}

std::string auditLine(const AuditRecord& record, const std::string& node_id, core::WallTime at) {
  OrderedJson line = {{"ts", rfc3339(at)},
                      {"node_id", node_id},
                      {"event_type", toString(record.type)},
                      {"pair", emptyAsNull(record.pair)},
                      {"router", emptyAsNull(record.router)},
                      {"from", optionalJson(record.from)},
                      {"to", optionalJson(record.to)},
                      {"reason", record.reason},
                      {"requested_by", optionalJson(record.requested_by)},
                      {"transaction", optionalJson(record.transaction)},
                      {"result", record.result}};
  for (const auto& [key, value] : record.details.items()) {
    if (!line.contains(key)) {  // the common members keep their meaning
      line[key] = value;
    }
  }
  // Replaced, not thrown on: a name or detail that is not UTF-8 must not lose the record.
  return line.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

AuditRecord switchAuditRecord(const engine::SwitchEvent& event, const TimeBase& time_base) {
  const Json json = switchEventJson(event, time_base);
  AuditRecord record;
  record.type = auditTypeOf(event.type);
  record.pair = event.pair;
  record.router = event.router;
  record.from = event.from;
  record.to = event.to;
  record.reason = json.value("reason", "");
  record.requested_by = event.requested_by;
  record.transaction = event.transaction;
  record.result = event.ok ? "ok" : "failed";
  Json routing = json["router"];
  routing.erase("id");
  record.details = {{"seq", event.seq},
                    {"description", event.reason},
                    {"mode", json["mode"]},
                    {"trigger", json["trigger"]},
                    {"routing", routing},
                    {"times", json["ts"]},
                    {"latency_ms", json["latency_ms"]}};
  if (json.contains("attempted")) {
    record.details["attempted"] = json["attempted"];
  }
  if (json.contains("error")) {
    record.details["error"] = json["error"];
  }
  return record;
}

AuditRecord settingAuditRecord(const engine::AuditEvent& event) {
  AuditRecord record;
  record.type = auditTypeOfSetting(event.setting);
  record.pair = event.pair;
  record.router = event.router;
  record.from = event.from;
  record.to = event.to;
  record.reason = "command";
  record.requested_by = event.requested_by;
  record.transaction = event.transaction;
  return record;
}

AuditRecord refusedSwitchAuditRecord(const engine::SwitchCommand& command,
                                     const engine::CommandReply& reply) {
  AuditRecord record;
  record.type = AuditEventType::SwitchFailed;
  record.pair = command.pair;
  if (reply.state) {
    record.router = reply.state->router.id;
    record.from = reply.state->active;
  }
  record.to = command.target;
  record.reason = "manual";
  record.requested_by = command.meta.requested_by;
  record.transaction = command.meta.transaction;
  record.result = "refused";
  record.details = {{"attempted", engine::toString(engine::SwitchEventType::ManualSwitch)},
                    {"force", command.force},
                    {"error",
                     {{"code", reply.error ? engine::toString(*reply.error) : "bad_request"},
                      {"message", reply.message}}}};
  return record;
}

AuditRecord reloadAuditRecord(bool applied, std::string reason,
                              std::optional<std::string> requested_by,
                              std::optional<std::string> transaction) {
  AuditRecord record;
  record.type = AuditEventType::Reload;
  record.reason = std::move(reason);
  record.requested_by = std::move(requested_by);
  record.transaction = std::move(transaction);
  record.result = applied ? "ok" : "failed";
  return record;
}

AuditRecord takeoverAuditRecord(std::optional<std::string> from, std::string to, std::string reason,
                                uint64_t term) {
  AuditRecord record;
  record.type = AuditEventType::Takeover;
  record.from = std::move(from);
  record.to = std::move(to);
  record.reason = std::move(reason);
  record.details = {{"term", term}};
  return record;
}

AuditRecord nodeStartAuditRecord(const std::string& version, const std::string& config_hash) {
  AuditRecord record;
  record.type = AuditEventType::NodeStart;
  record.reason = "start";
  record.details = {{"version", version}, {"config_hash", config_hash}};
  return record;
}

AuditRecord nodeStopAuditRecord(std::string reason) {
  AuditRecord record;
  record.type = AuditEventType::NodeStop;
  record.reason = std::move(reason);
  return record;
}

}  // namespace failover::daemon
