#pragma once

// CommandHandler: the node's operator commands (SPEC 5.3), from the MQTT message to its
// answer. It turns a command topic's payload into engine events (command_parser.h), answers
// a repeated transaction again instead of acting on it twice, decides where the answer goes
// (the request's response topic, and the MQTT 5 Response Topic when it starts with an
// allowed prefix), and publishes the engine's CommandReply to whoever waits for it.
//
// Thread model: the io thread only. Re-entrancy: `dispatch` may run the engine at once, so
// onReply() may be called for a command before onCommand() has returned.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "failover/config/config.h"
#include "failover/core/time.h"
#include "failover/daemon/command_parser.h"
#include "failover/daemon/json_views.h"
#include "failover/daemon/node_stats.h"
#include "failover/daemon/topics.h"
#include "failover/engine/actions.h"
#include "failover/engine/events.h"
#include "failover/ports/message_bus.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace failover::daemon {

class CommandHandler {
 public:
  // Hands an event to the engine (Node::dispatch).
  using Dispatch = std::function<void(engine::Event)>;
  // Carries out a request to the node itself (B/node/request/<name>) and returns the
  // payload of its answer.
  using NodeRequestHandler = std::function<nlohmann::json(const NodeRequest&)>;

  // Every reference must outlive the handler.
  CommandHandler(const config::Config& config, const Topics& topics, const TimeBase& time_base,
                 ports::MessageBus& bus, const core::TimeSource& time, NodeStats& stats,
                 Dispatch dispatch, NodeRequestHandler node_requests);
  ~CommandHandler();
  CommandHandler(const CommandHandler&) = delete;
  CommandHandler& operator=(const CommandHandler&) = delete;

  // A command on one of the node's command topics. REQUIRES: not a retained message (the
  // node drops those before). A payload that cannot be understood, or a pair or router this
  // node does not have, is answered at once with an error (bad_request, unknown_pair,
  // unknown_router) and logged; a request to the node itself is answered by the node's
  // handler, on B/node/response/<name>; anything else goes to the engine, and its
  // CommandReply comes back through onReply().
  void onCommand(const CommandTopic& topic, const ports::BusMessage& message);

  // The engine's answer to a command: a refusal is logged; the answer is published to the
  // command's response topics (set topics have none) and kept for the command's duplicates
  // within the de-duplication window. An answer to no waiting command is ignored.
  void onReply(const engine::CommandReply& reply);

 private:
  // Where the answer to one command goes, and under which key its duplicates are found.
  struct PendingReply {
    std::string topic;  // the command's own topic
    std::string pair;
    std::string command;         // request name; empty for set topics
    std::string response_topic;  // MQTT 5 response topic, when allowed
    std::string correlation_data;
    std::string dedupe_key;  // topic and transaction; empty without a transaction
    bool node = false;       // a request to the node: answered on B/node/response/<name>
  };
  struct Answered {
    core::MonoTime at;
    std::optional<std::string> response;  // unset while the command is in flight
  };

  // The error code and message for a pair or router this node does not have.
  std::optional<std::pair<std::string, std::string>> unknownTarget(const CommandTopic& topic) const;
  PendingReply replyTo(const CommandTopic& topic, const ports::BusMessage& message) const;
  void onNodeRequest(const CommandTopic& topic, const ports::BusMessage& message,
                     PendingReply pending, core::MonoTime now);
  // True (after answering again) when `pending` repeats a transaction answered or in flight.
  bool answeredBefore(PendingReply& pending, const std::string& transaction);
  void reply(const PendingReply& pending, const std::string& payload);
  void expireAnswered(core::MonoTime now);

  const config::Config& config_;
  const Topics& topics_;
  const TimeBase& time_base_;
  ports::MessageBus& bus_;
  const core::TimeSource& time_;
  NodeStats& stats_;
  Dispatch dispatch_;
  NodeRequestHandler node_requests_;
  std::shared_ptr<spdlog::logger> log_;

  uint64_t next_command_id_ = 1;
  std::unordered_map<std::string, PendingReply> pending_replies_;  // by command id
  std::unordered_map<std::string, Answered> answered_;             // by dedupe key
  std::deque<std::pair<core::MonoTime, std::string>> answered_order_;
};

}  // namespace failover::daemon
