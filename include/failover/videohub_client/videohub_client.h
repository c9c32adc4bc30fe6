#pragma once

// VideohubClient: one persistent TCP connection to one Blackmagic Videohub (port 9990), on a
// caller-supplied asio::io_context. The thread running that io_context owns all state; every
// callback is invoked on it, and every public method must be called on it (or before run()).
//
// Behaviour (docs/videohub.md has the long version):
// - connects at start(), with a connect timeout, TCP_NODELAY and TCP keepalive; reconnects
//   forever with a jittered, capped exponential backoff after any failure;
// - mirrors the router (RouterState) from the prelude and every update the router pushes,
//   whoever caused it; a reconnect rebuilds the mirror from the new prelude;
// - sends through a single-flight queue (one unacknowledged block on the wire; PINGs too);
//   an ACK missing for ack_timeout drops the connection, fails everything queued and
//   reconnects; a PING every keepalive_interval; no bytes for silence_timeout → reconnect;
// - sendRoutes() writes several routes in ONE routing block and reports what became of the
//   block on the wire (core::BlockOutcome): written, then ACK, NAK, or connection lost; or
//   refused before anything was written (not ready, out of range, locked). It never judges
//   whether a route was applied: only the router's updates say that, and they reach the
//   caller through state() and ClientObservers::on_change like any other change;
// - with input_labels set, keeps those input labels on the router: each time the client
//   becomes Ready (first connect, every reconnect and re-dump) it writes the labels that
//   differ from the mirror in ONE INPUT LABELS block, behind any routing already queued. A
//   label someone else changes later is logged once and rewritten only on the next
//   (re)connect, so two writers never fight. A NAK or a missing ACK is logged and not retried
//   on that connection; a block the router refused is not sent again unchanged, and after a
//   label block got no ACK the next connection writes no labels.
//
// Port numbers in this API are 1-based, as on the router's panel and in the configuration.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "failover/core/route.h"
#include "failover/videohub_client/input_labels.h"
#include "failover/videohub_client/router_state.h"

namespace asio {
class io_context;
}  // namespace asio

namespace failover::videohub_client {

inline constexpr uint16_t kDefaultVideohubPort = 9990;

struct ClientOptions {
  std::string host;  // name or address
  uint16_t port = kDefaultVideohubPort;
  std::string local_address;  // optional: bind the socket to this local address first
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds ack_timeout{2000};
  std::chrono::milliseconds keepalive_interval{5000};  // a PING this often (none if one waits)
  std::chrono::milliseconds silence_timeout{15000};    // no bytes at all this long → reconnect
  // The first PING after connecting is answered only after the whole state dump; while the
  // dump streams in, its ACK deadline moves on, but never past this long after connecting.
  std::chrono::milliseconds prelude_timeout{30000};
  // With force_unlock, how long to wait for the router to show an output unlocked after F.
  std::chrono::milliseconds unlock_timeout{1000};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_cap{5000};
  bool force_unlock = false;  // router setting: force-unlock outputs locked by others
  bool reconnect = true;      // false: one connection attempt, no retry (--test-connection)
  // Input labels to keep on the router (1-based input → label; sanitised with
  // sanitizeLabel()). Empty: the client never writes a label.
  InputLabels input_labels;
};

enum class ConnectionState {
  Disconnected,  // not connected; reason says why; a reconnect is scheduled (if enabled)
  Connecting,    // TCP connect in progress
  Syncing,       // connected, reading the prelude (or a mid-session re-dump)
  Ready,         // prelude complete, device present: routing is possible
  Unavailable,   // connected, but the device is absent / needs update, or not a Videohub
};

const char* toString(ConnectionState state);

struct ConnectionEvent {
  ConnectionState state = ConnectionState::Disconnected;
  std::string reason;  // why, for Disconnected and Unavailable
  DeviceInfo device;   // for Ready and Unavailable
};

// Receives what became of one sendRoutes() block, in the order core/route.h describes.
using BlockReport = std::function<void(const core::BlockOutcome&)>;

struct ClientStats {
  uint64_t connects = 0;    // successful TCP connects
  uint64_t reconnects = 0;  // connects after the first
  uint64_t disconnects = 0;
  uint64_t naks = 0;
  uint64_t ack_timeouts = 0;
  uint64_t refused_blocks = 0;   // route and lock blocks reported BlockRefused (NAK included)
  uint64_t malformed_lines = 0;  // lines the parser skipped, over all connections
  uint64_t unknown_blocks = 0;
  uint64_t blocks_received = 0;
  uint64_t requests_sent = 0;
  uint64_t label_blocks_sent = 0;         // INPUT LABELS blocks written (input_labels)
  uint64_t labels_sent = 0;               // labels in those blocks
  uint64_t label_blocks_refused = 0;      // NAKed, or no ACK
  uint64_t labels_changed_elsewhere = 0;  // a kept label changed to another text (logged once)
};

struct ClientObservers {
  std::function<void(const ConnectionEvent&)> on_connection;
  // Every change the router reported (from anyone), after it is applied to state().
  std::function<void(const StateChange&, const RouterState&)> on_change;
};

class VideohubClient {
 public:
  VideohubClient(asio::io_context& io, ClientOptions options, ClientObservers observers = {});
  ~VideohubClient();
  VideohubClient(const VideohubClient&) = delete;
  VideohubClient& operator=(const VideohubClient&) = delete;

  // Begins connecting. Idempotent.
  void start();
  // Closes the connection, cancels timers, and reports every route block not yet answered
  // (BlockConnectionLost if written, BlockRefused NotConnected if not), without calling
  // observers afterwards. Idempotent; after stop() the io_context can run out.
  void stop();

  // Writes every route in ONE routing block, once the wire is free (a single-flight queue).
  // `report` is called on the io thread, never inside sendRoutes: BlockSent when the block
  // (or, with force_unlock, the unlock that must precede it) is written, then exactly one of
  // BlockAcknowledged, BlockRefused (Nak; Locked when a forced unlock did not show) or
  // BlockConnectionLost. A block that is never written gets one BlockRefused: NotConnected
  // (not ready, or the connection dropped while it was queued), Unavailable (no device),
  // OutOfRange (a port beyond the device's size, or no routes), Locked (an output locked by
  // another client, force_unlock off). An output named twice keeps its last input. Route
  // blocks queued together behind the one in flight leave as one block when their outputs do
  // not overlap; each caller gets the outcome of that block.
  void sendRoutes(std::vector<core::Route> routes, BlockReport report);

  // Takes this client's locks on the 1-based `outputs` (an output named twice counts once):
  // those the mirror shows locked by another client (L) are first force-unlocked (F) in one
  // block, exactly as a route block does with force_unlock, and once the router shows them
  // unlocked every output is taken (O) in ONE lock block. Reports as sendRoutes: BlockSent
  // when the first block is written, then exactly one of BlockAcknowledged (the O block got
  // its ACK), BlockRefused (Nak; Locked when a forced unlock did not show) or
  // BlockConnectionLost; or one BlockRefused for a block never written (NotConnected,
  // Unavailable, OutOfRange for no outputs or one beyond the device). The locks themselves
  // show in state() once the router reports them (O for ours).
  void lockOutputs(std::vector<int> outputs, BlockReport report);

  // Sends a lock request for 1-based `output`: Owned = take the lock, Unlocked = release our
  // own, ForceUnlock = clear anyone's. The callback gets true on ACK, false on NAK, when not
  // connected, or when the connection drops first. The lock itself shows up in state() once
  // the router reports it. This single request serves operators' tools and tests; the node
  // takes its locks with lockOutputs().
  void requestLock(uint32_t output, LockState request, std::function<void(bool)> callback);

  // Whether input_labels may be written (default: yes). A node of a cluster that is not in
  // charge only reads the router; allowed again, the labels are written at once if the
  // connection is ready, as after a connect.
  void allowLabelWriting(bool allowed);

  ConnectionState connectionState() const;
  const RouterState& state() const;
  ClientStats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace failover::videohub_client
