#pragma once

// The cluster election's MQTT messages (SPEC 8.1, docs/redundancy.md): topic names under
// C = <base_topic>/<cluster.id>, and the payload codecs. Pure: no I/O, no clock. A payload
// that is not understood gives an error Status with a short reason, never an exception.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "failover/cluster/election.h"
#include "failover/core/result.h"

namespace failover::cluster_bus {

// Cluster messages are small; anything bigger is refused before parsing.
inline constexpr std::size_t kMaxClusterPayloadBytes = 4 * 1024;
// Node ids, reasons and transactions longer than this are refused.
inline constexpr std::size_t kMaxClusterTextLength = 200;

// The topics of one cluster, C = `<base_topic>/<cluster.id>`.
class ClusterTopics {
 public:
  explicit ClusterTopics(std::string cluster_base)
      : base_(std::move(cluster_base)), nodes_prefix_(base_ + "/nodes/") {}

  const std::string& base() const { return base_; }
  std::string heartbeat(const std::string& node_id) const;  // C/nodes/<id>/heartbeat
  std::string role(const std::string& node_id) const;       // C/nodes/<id>/role
  std::string state(const std::string& node_id) const;      // C/nodes/<id>/state
  std::string active() const;                               // C/cluster/active
  std::string event() const;                                // C/cluster/event
  std::string handoverRequest() const;                      // C/cluster/request/handover
  std::string handoverResponse() const;                     // C/cluster/response/handover
  std::string heartbeatFilter() const;                      // C/nodes/+/heartbeat
  std::string stateFilter() const;                          // C/nodes/+/state

  // The <node_id> of C/nodes/<node_id>/heartbeat; nullopt for any other topic.
  std::optional<std::string> heartbeatSender(std::string_view topic) const;
  // The <node_id> of C/nodes/<node_id>/state; nullopt for any other topic.
  std::optional<std::string> stateSender(std::string_view topic) const;

 private:
  std::optional<std::string> nodeOf(std::string_view topic, std::string_view suffix) const;
  std::string base_;
  // C/nodes/: kept, since every message the node reads is checked against it in cluster mode.
  std::string nodes_prefix_;
};

// C/nodes/<id>/heartbeat. `instance` is written as 16 lower-case hex digits.
std::string encodeHeartbeat(const cluster::Heartbeat& heartbeat);
// Required: node_id (non-empty), instance (1..16 hex digits), rank (>= 1), role, term
// (>= 0), sent_ms. The others default as in cluster::Heartbeat when absent. Unknown fields
// are ignored, so that a newer node can add some.
core::Result<cluster::Heartbeat> decodeHeartbeat(std::string_view payload);

// C/nodes/<id>/state: "online" / "offline".
inline constexpr std::string_view kStateOnline = "online";
inline constexpr std::string_view kStateOffline = "offline";

// C/nodes/<id>/role: "active", "standby", "isolated".
std::string encodeRole(cluster::Role role);
core::Result<cluster::Role> decodeRole(std::string_view payload);

// C/cluster/active: the node id, as plain text; empty or oversized text is an error.
core::Result<std::string> decodeActive(std::string_view payload);

// C/cluster/event: {"event_type":"takeover","from":..,"to":..,"reason":..,"term":N,
// "takeover_ms":..,"ts":..}. `from` is null when no node was known to be in charge.
// `ts` is the wall-clock time of the event, already formatted (RFC 3339).
std::string encodeTakeoverEvent(const cluster::TakeoverEvent& event, const std::string& ts);
struct DecodedTakeoverEvent {
  cluster::TakeoverEvent event;
  std::string ts;
};
core::Result<DecodedTakeoverEvent> decodeTakeoverEvent(std::string_view payload);

// C/cluster/request/handover: {"to":"fo2"} with optional "transaction" and "requested_by".
struct HandoverRequest {
  std::string to;
  std::optional<std::string> transaction;
  std::string requested_by;
  friend bool operator==(const HandoverRequest&, const HandoverRequest&) = default;
};
std::string encodeHandoverRequest(const HandoverRequest& request);
core::Result<HandoverRequest> decodeHandoverRequest(std::string_view payload);

// C/cluster/response/handover: {"status":"ok","data":{"to":..},"transaction":..} or
// {"status":"error","code":"handover_refused","error":..,"transaction":..}; a request that
// could not be read is answered with code "bad_request".
std::string encodeHandoverResponse(const cluster::HandoverAnswer& answer,
                                   const std::optional<std::string>& transaction);
std::string encodeBadHandoverRequest(const std::string& message,
                                     const std::optional<std::string>& transaction);

}  // namespace failover::cluster_bus
