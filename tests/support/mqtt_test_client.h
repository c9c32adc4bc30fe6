#pragma once

// The MQTT client of tests and labs: the Mosquitto command-line clients, as render agents,
// operators and dashboards are played in a facility. Separate processes connect at once
// (a second Paho client in one process takes seconds to connect, Paho C 1.3.12), and they
// are what a facility has anyway. Everything connects to 127.0.0.1, over TLS when the
// endpoint names the files for it.
//
// - publishMessage() / publishFile(): one message, one mosquitto_pub process (with MQTT 5
//   user properties if asked).
// - LinePublishers: one long-lived `mosquitto_pub -l` per topic, one line a message, for
//   steady streams such as heartbeats.
// - readOnePayload(): the first message on a topic, retained or not.
// - MqttSubscriber: one mosquitto_sub process on some filters, read message by message.
//   It keeps every message it read (history) and the latest payload of each topic, and reads
//   either as a stream (next(), waitFor()) or by position (mark(), waitAfter()). All waits
//   are bounded.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.h"

namespace failover::testing {

inline constexpr const char* kMosquittoPub = "/usr/bin/mosquitto_pub";
inline constexpr const char* kMosquittoSub = "/usr/bin/mosquitto_sub";

// True when both command-line clients are installed.
bool mosquittoClientsAvailable();

// A broker on 127.0.0.1 as the command-line clients reach it.
struct MqttEndpoint {
  uint16_t port = 0;
  // TLS: the authority that verifies the broker, and the client's own certificate and key.
  // All empty: plain TCP.
  std::filesystem::path ca_file{};
  std::filesystem::path cert_file{};
  std::filesystem::path key_file{};

  // The arguments naming the broker (and the TLS files) for mosquitto_pub and mosquitto_sub.
  std::vector<std::string> arguments() const;
};

struct MqttMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
};

// Publishes one message at QoS 1 with mosquitto_pub and waits (at most 5 s) for it to exit.
// Returns whether it exited with status 0.
bool publishMessage(const MqttEndpoint& endpoint, const std::string& topic,
                    const std::string& payload, bool retain = false);

// How publishMessage() sends a message beyond topic and payload.
struct MqttPublishOptions {
  bool retain = false;
  // MQTT 5 user properties (name, value), in order; any of them makes the publish MQTT 5.
  std::vector<std::pair<std::string, std::string>> user_properties{};
};
bool publishMessage(const MqttEndpoint& endpoint, const std::string& topic,
                    const std::string& payload, const MqttPublishOptions& options);

// Publishes the contents of `file` as one message at QoS 1 (for payloads too big for a
// command line). Returns whether mosquitto_pub exited with status 0.
bool publishFile(const MqttEndpoint& endpoint, const std::string& topic,
                 const std::filesystem::path& file);

// One long-lived `mosquitto_pub -l` (QoS 0) per topic, each started with its topic's first
// message: one line written is one message published. Not thread-safe; the destructor stops
// the processes.
class LinePublishers {
 public:
  explicit LinePublishers(MqttEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // Hands `payload` (one line) to the topic's publisher. Returns false if it is gone.
  bool publish(const std::string& topic, const std::string& payload);

 private:
  MqttEndpoint endpoint_;
  std::map<std::string, std::unique_ptr<ChildProcess>> publishers_;
};

struct MqttSubscription {
  std::vector<std::string> filters{};
  int qos = 0;
  // A fixed client id with a persistent session (-c): the broker keeps the subscription and
  // queues messages while the subscriber is away. Empty: mosquitto_sub's own id, clean.
  std::string persistent_client_id{};
  int count = 0;      // exit after this many messages (-C); 0: never
  int timeout_s = 0;  // exit after this many seconds without a message (-W); 0: never
  // Return from the constructor only once the subscription is in place, shown by a marker
  // message that comes back (markers never show in what is read). Throws
  // std::runtime_error when it does not come back.
  bool confirm = false;
};

// The first message on `topic` (a retained one included), read by a mosquitto_sub that leaves
// after it, or after 5 s without one. Returns its payload.
std::optional<std::string> readOnePayload(const MqttEndpoint& endpoint, const std::string& topic);

// The mosquitto_sub command line for `subscription`: it prints one
// "<retained 0|1> <topic> <payload>" line a message.
std::vector<std::string> subscriberCommand(const MqttEndpoint& endpoint,
                                           const MqttSubscription& subscription);
// One line of that output as a message; nullopt for a line that is not one.
std::optional<MqttMessage> parseSubscriberLine(const std::string& line);

class MqttSubscriber {
 public:
  using Match = std::function<bool(const MqttMessage&)>;
  using PayloadMatch = std::function<bool(const std::string& payload)>;

  MqttSubscriber(const MqttEndpoint& endpoint, MqttSubscription subscription);
  // Plain TCP to 127.0.0.1:`port`, at QoS 0, subscription not confirmed.
  MqttSubscriber(uint16_t port, std::vector<std::string> filters);

  // --- as a stream: each message once, in order of arrival ---
  static constexpr std::chrono::milliseconds kStreamTimeout{5000};
  // The next message not yet taken by next() or waitFor().
  std::optional<MqttMessage> next(std::chrono::milliseconds timeout);
  // The same, its payload only.
  std::optional<std::string> nextPayload(std::chrono::milliseconds timeout);
  // Takes messages until one on `topic` satisfies `match`; returns it.
  std::optional<MqttMessage> waitFor(const std::string& topic, const Match& match,
                                     std::chrono::milliseconds timeout = kStreamTimeout);
  std::optional<MqttMessage> waitForPayload(const std::string& topic, const std::string& payload,
                                            std::chrono::milliseconds timeout = kStreamTimeout);
  // Takes messages until each (topic, payload) pair has come, in any order.
  bool waitForAll(std::set<std::pair<std::string, std::string>> wanted,
                  std::chrono::milliseconds timeout = kStreamTimeout);

  // --- by topic and position ---
  // The latest payload seen on `topic`, if any.
  std::optional<std::string> latest(const std::string& topic) const;
  // Waits until `topic`'s latest payload satisfies `match` (it may already); returns it.
  std::optional<std::string> waitLatest(const std::string& topic, const PayloadMatch& match,
                                        std::chrono::milliseconds timeout);
  std::optional<std::string> waitLatestEquals(const std::string& topic, const std::string& payload,
                                              std::chrono::milliseconds timeout);
  // Position in the history: waitAfter() looks only at messages that arrive after it.
  size_t mark() const { return history_.size(); }
  // Waits for a message on `topic`, received at or after history position `from`, that
  // satisfies `match`; returns its payload.
  std::optional<std::string> waitAfter(size_t from, const std::string& topic,
                                       const PayloadMatch& match,
                                       std::chrono::milliseconds timeout);
  // Reads whatever arrives during `window` and returns every payload on `topic` received at
  // or after `from`. For checks that something did NOT happen.
  std::vector<std::string> collect(size_t from, const std::string& topic,
                                   std::chrono::milliseconds window);
  const std::vector<MqttMessage>& history() const { return history_; }

  // The mosquitto_sub process (to wait for its exit after -C or -W).
  ChildProcess& process() { return process_; }

 private:
  using Clock = std::chrono::steady_clock;

  void confirmSubscription(const MqttEndpoint& endpoint);
  // Reads one message into the history; false when none came before `deadline`.
  bool readOne(Clock::time_point deadline);

  ChildProcess process_;
  std::vector<MqttMessage> history_;
  std::map<std::string, std::string> latest_;
  size_t next_ = 0;  // history position of the stream
  bool marker_seen_ = false;
};

}  // namespace failover::testing
