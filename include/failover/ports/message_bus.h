#pragma once

// The message-bus port: what the node needs from MQTT, and nothing more. PahoMessageBus
// implements it; tests of the node use a fake. Every callback is delivered on the node's
// single io thread, never on a library thread.

#include <cstdint>
#include <functional>
#include <string>

#include "failover/core/time.h"

namespace failover::ports {

struct BusMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
  // MQTT 5 request/response properties; empty when absent (and always under 3.1.1).
  std::string response_topic;
  std::string correlation_data;
  // The MQTT 5 user property `requested_by` (the first, if several): who sent a command.
  // Empty when absent; a `requested_by` in the payload takes precedence over it.
  std::string requested_by;
  // When the bus read the message off the socket (the library's receive thread); unset
  // (the epoch) when the bus cannot tell. Latencies of switch events are measured from it.
  core::MonoTime received_at{};
  // More messages that arrived together with this one are delivered right after it. The node
  // then defers publishing its state until the last of them, so that a burst of failures is
  // routed first and reported once.
  bool more_follow = false;
};

// How a subscription treats retained messages and our own publishes.
enum class SubscriptionKind {
  State,    // inputs: the broker's retained last value is wanted (agent status, health)
  Command,  // commands: retained ones are not delivered, our own publishes are not echoed
};

struct PublishOptions {
  int qos = 1;
  bool retain = false;
  std::string correlation_data;  // MQTT 5 only; echoed on responses
};

// What the bus has done with the node's publishes, for B/node/stats.
struct BusCounters {
  uint64_t connects = 0;
  uint64_t published = 0;  // handed to the MQTT library
  uint64_t refused = 0;    // refused by the broker or the library: not sent again
  uint64_t dropped = 0;    // events dropped from a full queue (broker away or slow)
  uint64_t waiting = 0;    // queued now: not yet sent, or sent and not yet acknowledged
};

class MessageBus {
 public:
  virtual ~MessageBus() = default;

  // Queues a publish; it never blocks. While the broker is away (or slow to acknowledge)
  // messages wait and are sent after the reconnect: retained ones only with their latest
  // value per topic, others in order and bounded (the oldest dropped first).
  virtual void publish(const std::string& topic, std::string payload,
                       const PublishOptions& options) = 0;

  // Adds a subscription. It is made at once when connected and again after every reconnect,
  // so callers subscribe once.
  virtual void subscribe(const std::string& filter, SubscriptionKind kind) = 0;

  virtual bool connected() const = 0;

  // Counters of the bus; a bus that keeps none reports zeros.
  virtual BusCounters counters() const { return {}; }
};

// What the bus reports, registered before start().
struct BusHandlers {
  std::function<void()> on_connected;                     // first connect and every reconnect
  std::function<void(const std::string& cause)> on_lost;  // the link to the broker is down
  std::function<void(const BusMessage& message)> on_message;
};

}  // namespace failover::ports
