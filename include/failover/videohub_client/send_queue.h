#pragma once

// The single-flight send queue of a Videohub connection, as pure logic (no sockets).
//
// Rules (videohub-protocol.md section 8):
// - At most one request block is on the wire without its ACK/NAK: real routers silently drop
//   requests that arrive in a burst, and a reply can only be matched to the oldest request.
// - PINGs go through the same queue, so every ACK is matched.
// - Blocks the router pushes while a request waits are not replies; the caller applies them
//   and keeps waiting. ACK or NAK resolves the request in flight.
// - Route requests queued one after another behind the block in flight leave together, as
//   ONE block, when the wire is free: many pairs failing at once cost one round trip, not
//   one per pair. Their ids travel in merged_ids; the reply answers them all. A request that
//   names an output already in the block starts the next block instead: one block never
//   routes an output twice, and requests reach the router in the order they were made, so
//   the newest route for an output is the one that lands last.
// - Label writes (RequestKind::Labels) are background work: every other request is queued
//   ahead of a label block that has not left yet, so a failover waits at most for a label
//   block already on the wire. A newer label block replaces a queued older one.
//
// Indexes in the blocks are zero-based, as on the wire.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "failover/videohub/blocks.h"

namespace failover::videohub_client {

enum class RequestKind { Ping, Route, Lock, DumpRequest, Labels, Other };

struct Request {
  uint64_t id = 0;  // assigned by push()
  RequestKind kind = RequestKind::Other;
  videohub::Block block;
  std::string bytes;                 // block as sent
  std::vector<uint64_t> merged_ids;  // other route requests sent in this same block
};

enum class Reply { Ack, Nak };

class SendQueue {
 public:
  // Queues `block` and returns its id.
  uint64_t push(RequestKind kind, videohub::Block block);

  // The request to write now, if nothing is in flight and something is queued; it becomes
  // the request in flight. The caller writes its bytes.
  const Request* startNext();

  bool inFlight() const { return in_flight_.has_value(); }
  const Request* current() const { return in_flight_ ? &*in_flight_ : nullptr; }
  size_t queued() const { return queue_.size(); }
  bool hasQueuedPing() const;

  // An ACK or NAK arrived: resolves the request in flight and returns it. nullopt when
  // nothing was in flight (an unsolicited reply, a protocol error the caller reports).
  std::optional<Request> resolve(Reply reply);

  // The connection is gone: returns every request (in flight first, then queued) and empties
  // the queue. None of them is retried on the next connection.
  std::vector<Request> failAll();

 private:
  uint64_t next_id_ = 1;
  std::optional<Request> in_flight_;
  std::deque<Request> queue_;
};

}  // namespace failover::videohub_client
