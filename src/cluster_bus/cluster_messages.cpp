#include "failover/cluster_bus/cluster_messages.h"

#include <cinttypes>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

namespace failover::cluster_bus {

using Json = nlohmann::json;

namespace {

core::Status bad(std::string message) {
  return core::Status::invalidArgument(std::move(message));
}

// Parses a JSON object of bounded size without exceptions.
core::Result<Json> parseObject(std::string_view payload) {
  if (payload.size() > kMaxClusterPayloadBytes) {
    return bad("payload of " + std::to_string(payload.size()) + " bytes is larger than " +
               std::to_string(kMaxClusterPayloadBytes));
  }
  Json json = Json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return bad("payload is not valid JSON");
  }
  if (!json.is_object()) {
    return bad("payload is not a JSON object");
  }
  return json;
}

// Reads one field; `required` fields must be present. Each reader leaves `out` untouched
// when the field is absent and returns an error Status on a wrong type or range.
core::Status readText(const Json& json, const char* key, bool required, std::string& out,
                      bool allow_empty = true) {
  const auto it = json.find(key);
  if (it == json.end()) {
    return required ? bad(std::string("'") + key + "' is missing") : core::Status::ok();
  }
  if (!it->is_string()) {
    return bad(std::string("'") + key + "' must be a string");
  }
  const auto& text = it->get_ref<const std::string&>();
  if (!allow_empty && text.empty()) {
    return bad(std::string("'") + key + "' must not be empty");
  }
  if (text.size() > kMaxClusterTextLength) {
    return bad(std::string("'") + key + "' is longer than " +
               std::to_string(kMaxClusterTextLength) + " characters");
  }
  out = text;
  return core::Status::ok();
}

core::Status readBool(const Json& json, const char* key, bool& out) {
  const auto it = json.find(key);
  if (it == json.end()) {
    return core::Status::ok();
  }
  if (!it->is_boolean()) {
    return bad(std::string("'") + key + "' must be true or false");
  }
  out = it->get<bool>();
  return core::Status::ok();
}

// An integer in [min, max]; floats, strings and out-of-range numbers are refused.
core::Status readInteger(const Json& json, const char* key, int64_t min, int64_t max,
                         int64_t& out) {
  const auto it = json.find(key);
  if (it == json.end()) {
    return bad(std::string("'") + key + "' is missing");
  }
  const std::string range = std::string("'") + key + "' must be an integer from " +
                            std::to_string(min) + " to " + std::to_string(max);
  if (it->is_number_unsigned()) {
    const auto value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(max)) {
      return bad(range);
    }
    out = static_cast<int64_t>(value);
  } else if (it->is_number_integer()) {
    out = it->get<int64_t>();
  } else {
    return bad(range);
  }
  if (out < min || out > max) {
    return bad(range);
  }
  return core::Status::ok();
}

core::Status readUnsigned(const Json& json, const char* key, uint64_t& out) {
  const auto it = json.find(key);
  if (it == json.end()) {
    return bad(std::string("'") + key + "' is missing");
  }
  if (!it->is_number_unsigned()) {  // nlohmann keeps every non-negative integer unsigned
    return bad(std::string("'") + key + "' must be a non-negative integer");
  }
  out = it->get<uint64_t>();
  return core::Status::ok();
}

core::Status readInstance(const Json& json, uint64_t& out) {
  std::string text;
  if (auto status = readText(json, "instance", true, text); !status.isOk()) {
    return status;
  }
  if (text.empty() || text.size() > 16) {
    return bad("'instance' must be 1 to 16 hex digits");
  }
  uint64_t value = 0;
  for (const char c : text) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return bad("'instance' must be 1 to 16 hex digits");
    }
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  out = value;
  return core::Status::ok();
}

core::Status readRole(const Json& json, cluster::Role& out) {
  std::string text;
  if (auto status = readText(json, "role", true, text); !status.isOk()) {
    return status;
  }
  const auto role = cluster::roleFromString(text);
  if (!role) {
    return bad("'role' must be active, standby or isolated");
  }
  out = *role;
  return core::Status::ok();
}

Json optionalText(const std::optional<std::string>& text) {
  return text ? Json(*text) : Json(nullptr);
}

}  // namespace

// ---- topics --------------------------------------------------------------------------------

std::string ClusterTopics::heartbeat(const std::string& node_id) const {
  return nodes_prefix_ + node_id + "/heartbeat";
}
std::string ClusterTopics::role(const std::string& node_id) const {
  return nodes_prefix_ + node_id + "/role";
}
std::string ClusterTopics::state(const std::string& node_id) const {
  return nodes_prefix_ + node_id + "/state";
}
std::string ClusterTopics::active() const {
  return base_ + "/cluster/active";
}
std::string ClusterTopics::event() const {
  return base_ + "/cluster/event";
}
std::string ClusterTopics::handoverRequest() const {
  return base_ + "/cluster/request/handover";
}
std::string ClusterTopics::handoverResponse() const {
  return base_ + "/cluster/response/handover";
}
std::string ClusterTopics::heartbeatFilter() const {
  return nodes_prefix_ + "+/heartbeat";
}

std::string ClusterTopics::stateFilter() const {
  return nodes_prefix_ + "+/state";
}

std::optional<std::string> ClusterTopics::heartbeatSender(std::string_view topic) const {
  return nodeOf(topic, "/heartbeat");
}

std::optional<std::string> ClusterTopics::stateSender(std::string_view topic) const {
  return nodeOf(topic, "/state");
}

std::optional<std::string> ClusterTopics::nodeOf(std::string_view topic,
                                                 std::string_view suffix) const {
  const std::string_view prefix = nodes_prefix_;
  if (topic.size() <= prefix.size() + suffix.size() || topic.substr(0, prefix.size()) != prefix ||
      topic.substr(topic.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  const auto id = topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size());
  if (id.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(id);
}

// ---- heartbeat -----------------------------------------------------------------------------

std::string encodeHeartbeat(const cluster::Heartbeat& heartbeat) {
  char instance[17];
  std::snprintf(instance, sizeof instance, "%016" PRIx64, heartbeat.instance);
  const Json json = {{"node_id", heartbeat.node_id},
                     {"instance", instance},
                     {"rank", heartbeat.rank},
                     {"role", cluster::toString(heartbeat.role)},
                     {"term", heartbeat.term},
                     {"active", heartbeat.active},
                     {"candidate", heartbeat.candidate},
                     {"routers_ok", heartbeat.routers_ok},
                     {"fenced", heartbeat.fenced},
                     {"handover_to", heartbeat.handover_to},
                     {"handover_reason", heartbeat.handover_reason},
                     {"sent_ms", heartbeat.sent_ms}};
  return json.dump();
}

core::Result<cluster::Heartbeat> decodeHeartbeat(std::string_view payload) {
  auto parsed = parseObject(payload);
  if (!parsed) {
    return parsed.status();
  }
  const Json& json = *parsed;
  cluster::Heartbeat heartbeat;
  int64_t rank = 0;
  for (const auto& status : {
           readText(json, "node_id", true, heartbeat.node_id, /*allow_empty=*/false),
           readInstance(json, heartbeat.instance),
           readInteger(json, "rank", 1, std::numeric_limits<int>::max(), rank),
           readRole(json, heartbeat.role),
           readUnsigned(json, "term", heartbeat.term),
           readText(json, "active", false, heartbeat.active),
           readBool(json, "candidate", heartbeat.candidate),
           readBool(json, "routers_ok", heartbeat.routers_ok),
           readBool(json, "fenced", heartbeat.fenced),
           readText(json, "handover_to", false, heartbeat.handover_to),
           readText(json, "handover_reason", false, heartbeat.handover_reason),
           readInteger(json, "sent_ms", std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max(), heartbeat.sent_ms),
       }) {
    if (!status.isOk()) {
      return status;
    }
  }
  heartbeat.rank = static_cast<int>(rank);
  return heartbeat;
}

// ---- role, active --------------------------------------------------------------------------

std::string encodeRole(cluster::Role role) {
  return cluster::toString(role);
}

core::Result<cluster::Role> decodeRole(std::string_view payload) {
  const auto role =
      payload.size() <= 16 ? cluster::roleFromString(std::string(payload)) : std::nullopt;
  if (!role) {
    return bad("role must be active, standby or isolated");
  }
  return *role;
}

core::Result<std::string> decodeActive(std::string_view payload) {
  if (payload.empty()) {
    return bad("no node id");
  }
  if (payload.size() > kMaxClusterTextLength) {
    return bad("node id is longer than " + std::to_string(kMaxClusterTextLength) + " characters");
  }
  return std::string(payload);
}

// ---- takeover event ------------------------------------------------------------------------

std::string encodeTakeoverEvent(const cluster::TakeoverEvent& event, const std::string& ts) {
  const Json json = {{"event_type", "takeover"},
                     {"from", event.from.empty() ? Json(nullptr) : Json(event.from)},
                     {"to", event.to},
                     {"reason", event.reason},
                     {"term", event.term},
                     {"takeover_ms", event.takeover_ms},
                     {"ts", ts}};
  return json.dump();
}

core::Result<DecodedTakeoverEvent> decodeTakeoverEvent(std::string_view payload) {
  auto parsed = parseObject(payload);
  if (!parsed) {
    return parsed.status();
  }
  const Json& json = *parsed;
  std::string event_type;
  if (auto status = readText(json, "event_type", true, event_type); !status.isOk()) {
    return status;
  }
  if (event_type != "takeover") {
    return bad("'event_type' must be takeover");
  }
  DecodedTakeoverEvent decoded;
  if (const auto from = json.find("from"); from != json.end() && !from->is_null()) {
    if (auto status = readText(json, "from", false, decoded.event.from); !status.isOk()) {
      return status;
    }
  }
  for (const auto& status : {
           readText(json, "to", true, decoded.event.to, /*allow_empty=*/false),
           readText(json, "reason", true, decoded.event.reason),
           readUnsigned(json, "term", decoded.event.term),
           readInteger(json, "takeover_ms", 0, std::numeric_limits<int64_t>::max(),
                       decoded.event.takeover_ms),
           readText(json, "ts", false, decoded.ts),
       }) {
    if (!status.isOk()) {
      return status;
    }
  }
  return decoded;
}

// ---- handover ------------------------------------------------------------------------------

std::string encodeHandoverRequest(const HandoverRequest& request) {
  Json json = {{"to", request.to}};
  if (request.transaction) {
    json["transaction"] = *request.transaction;
  }
  if (!request.requested_by.empty()) {
    json["requested_by"] = request.requested_by;
  }
  return json.dump();
}

core::Result<HandoverRequest> decodeHandoverRequest(std::string_view payload) {
  auto parsed = parseObject(payload);
  if (!parsed) {
    return parsed.status();
  }
  const Json& json = *parsed;
  HandoverRequest request;
  std::string transaction;
  if (auto status = readText(json, "to", true, request.to, /*allow_empty=*/false); !status.isOk()) {
    return status;
  }
  if (const auto it = json.find("transaction"); it != json.end() && !it->is_null()) {
    if (auto status = readText(json, "transaction", false, transaction); !status.isOk()) {
      return status;
    }
    request.transaction = transaction;
  }
  if (auto status = readText(json, "requested_by", false, request.requested_by); !status.isOk()) {
    return status;
  }
  return request;
}

std::string encodeHandoverResponse(const cluster::HandoverAnswer& answer,
                                   const std::optional<std::string>& transaction) {
  if (!answer.accepted) {
    return Json{{"status", "error"},
                {"code", "handover_refused"},
                {"error", answer.message},
                {"transaction", optionalText(transaction)}}
        .dump();
  }
  return Json{
      {"status", "ok"}, {"data", {{"to", answer.to}}}, {"transaction", optionalText(transaction)}}
      .dump();
}

std::string encodeBadHandoverRequest(const std::string& message,
                                     const std::optional<std::string>& transaction) {
  return Json{{"status", "error"},
              {"code", "bad_request"},
              {"error", message},
              {"transaction", optionalText(transaction)}}
      .dump();
}

}  // namespace failover::cluster_bus
