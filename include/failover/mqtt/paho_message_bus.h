#pragma once

// PahoMessageBus: the MessageBus port on Eclipse Paho MQTT C++ 1.2. Paho runs its own
// receive thread; every Paho callback only posts into the caller's io_context, so all of
// the node's state stays on one thread and nothing ever blocks inside Paho.
//
// Paho 1.2 pitfalls handled here: MQTT 5 is set on both the create and the connect
// options (or the client silently speaks 3.1.1); subscriptions are made one filter at a
// time (the list-with-options overload crashes) and again after every reconnect (a clean
// start forgets them); a clean shutdown publishes the offline state itself (1.2 cannot ask
// the broker to send the will).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "failover/ports/message_bus.h"

namespace asio {
class io_context;
}  // namespace asio

namespace failover::mqtt {

struct BusSettings {
  std::string server_uri = "tcp://127.0.0.1:1883";  // tcp:// ssl:// ws:// wss://
  // When not empty: the brokers tried in this order on every (re)connect, instead of
  // server_uri (which should then be the first of them). The client id and will stay the same.
  std::vector<std::string> servers;
  std::string client_id;
  bool mqtt5 = true;
  int keepalive_s = 10;
  std::string username;
  std::string password;  // read from a file by the caller; never logged
  // TLS, used with ssl:// and wss://.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify_server = true;
  // Last will, and what is published on every connect / on a clean stop.
  std::string state_topic;  // e.g. failover/fo1/node/state
  std::string online_payload = "online";
  std::string offline_payload = "offline";
  // Reconnect back-off (core::Backoff): the first retry after reconnect_min_ms, doubling up to
  // reconnect_max_ms, each delay shortened by a random fraction up to reconnect_jitter so that
  // nodes that lost the same broker do not come back in lockstep.
  int reconnect_min_ms = 250;
  int reconnect_max_ms = 5000;
  double reconnect_jitter = 0.2;
  // Publishes waiting in the outbox (see outbox.h), while the broker is away or its window
  // is full. Retained values are conflated by topic and never dropped; past this bound the
  // oldest events are. A 144-pair node publishes about 1,500 retained values at once on
  // connect, so the bound is well above that.
  int max_buffered_messages = 20000;
};

struct BusStats {
  uint64_t connects = 0;
  uint64_t connection_losses = 0;
  uint64_t published = 0;         // handed to the library
  uint64_t publish_failures = 0;  // the library did not take it (connection going away)
  uint64_t publish_refused = 0;   // refused by the broker or the library; not sent again
  uint64_t publish_dropped = 0;   // events dropped from a full outbox
  uint64_t received = 0;
  // The outbox, when stats() was read.
  uint64_t waiting = 0;
  uint64_t in_flight = 0;
  uint64_t conflated = 0;
  uint64_t resent = 0;
};

class PahoMessageBus final : public ports::MessageBus {
 public:
  // Stores its collaborators; nothing happens before start(). `io` must outlive the bus.
  PahoMessageBus(asio::io_context& io, BusSettings settings, ports::BusHandlers handlers);
  ~PahoMessageBus() override;
  PahoMessageBus(const PahoMessageBus&) = delete;
  PahoMessageBus& operator=(const PahoMessageBus&) = delete;

  // Starts connecting; retries forever with back-off until stop(). Returns false (and
  // `error` says why) only for settings Paho rejects outright, e.g. a bad URI scheme.
  bool start(std::string& error);

  // Publishes the offline state, disconnects (bounded by `timeout_ms`) and stops
  // delivering callbacks. Idempotent. Blocks the calling thread up to the timeout: call it
  // at shutdown only, never from a Paho callback.
  void stop(int timeout_ms = 2000);

  // ports::MessageBus
  void publish(const std::string& topic, std::string payload,
               const ports::PublishOptions& options) override;
  void subscribe(const std::string& filter, ports::SubscriptionKind kind) override;
  bool connected() const override;
  ports::BusCounters counters() const override;

  // The counters, and the outbox as it is now. Io thread only.
  const BusStats& stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace failover::mqtt
