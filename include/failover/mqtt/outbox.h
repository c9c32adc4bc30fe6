#pragma once

// Outbox: the node's own queue of MQTT publishes, in front of the client library.
//
// Why it exists: a broker grants a client a window of unacknowledged QoS 1 publishes (MQTT 5
// "receive maximum", 20 on a default Mosquitto). Paho C 1.3.12 stops at that window and
// resumes only on its send thread's one-second tick, so a burst of state (hundreds of
// retained topics at connect, or 144 pairs switching at once) trickled out at 20 messages a
// second. The outbox keeps the window itself: it hands the library only what the broker will
// take now, and more as acknowledgements come back.
//
// What it adds on the way:
// - Retained state is conflated by topic: a retained value still waiting replaces the older
//   one, so a backlog or an outage never sends stale state, and the queue of retained topics is
//   bounded by the number of topics. The newer value goes to the back of the queue, so it never
//   overtakes messages published before it.
// - Non-retained messages (events, responses) are kept in order; past `capacity` the oldest
//   non-retained one is dropped and counted.
// - A message in flight when the connection drops goes back into the queue at its original
//   place (every message keeps the sequence number it got when published, and the queue stays
//   in that order, however the library reports the failures), to be sent again after the
//   reconnect (at least once), unless a newer value of the same retained topic replaced it.
//
// Pure and single-threaded: no I/O, no clock. The adapter calls it on the io thread.

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace failover::mqtt {

struct OutgoingMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = false;
  std::string correlation_data;  // MQTT 5 only
};

// A message handed to the library; `id` comes back in acknowledge() for QoS 1 and 2.
struct Dispatch {
  uint64_t id = 0;  // 0 for QoS 0: nothing to acknowledge
  OutgoingMessage message;
};

struct OutboxStats {
  uint64_t conflated = 0;  // retained values replaced by a newer one before being sent
  uint64_t dropped = 0;    // non-retained messages dropped past the capacity
  uint64_t resent = 0;     // in-flight messages queued again after a connection loss
};

class Outbox {
 public:
  // `capacity` bounds the waiting messages (at least 1).
  explicit Outbox(std::size_t capacity);

  // Queues a message; never blocks. Returns false when an older non-retained message had to
  // be dropped to make room.
  bool push(OutgoingMessage message);

  // The broker's window of unacknowledged QoS 1/2 messages (at least 1).
  void setWindow(std::size_t window);

  // Takes the next message that may be handed to the library now, if any: a QoS 0 message,
  // or a QoS 1/2 message while the window has room. Messages leave in order: a QoS 0
  // message never overtakes a QoS 1 message that waits for the window.
  std::optional<Dispatch> next();

  // The broker acknowledged message `id`. Unknown ids (from before a reconnect) are ignored.
  void acknowledge(uint64_t id);

  // The message `id` did not get through (the connection dropped under it): it is queued
  // again at its original place. Unknown ids are ignored.
  void giveBack(uint64_t id);

  // The connection dropped: everything still in flight is queued again at its place.
  void connectionLost();

  std::size_t waiting() const { return waiting_.size(); }
  std::size_t inFlight() const { return in_flight_.size(); }
  const OutboxStats& stats() const { return stats_; }

 private:
  // A message and its place in the order of publishing.
  struct Entry {
    uint64_t seq = 0;
    OutgoingMessage message;
  };
  using Queue = std::list<Entry>;  // always sorted by seq

  void requeue(Entry entry);
  void forgetRetained(const Queue::iterator& position);
  bool dropOldestNonRetained();

  std::size_t capacity_;
  std::size_t window_ = 20;
  uint64_t next_seq_ = 1;
  uint64_t next_id_ = 1;
  Queue waiting_;
  // The waiting position of each retained topic, for conflation.
  std::unordered_map<std::string, Queue::iterator> retained_waiting_;
  std::map<uint64_t, Entry> in_flight_;  // by dispatch id
  OutboxStats stats_;
};

}  // namespace failover::mqtt
