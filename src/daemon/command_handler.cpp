#include "failover/daemon/command_handler.h"

#include <spdlog/spdlog.h>

#include "failover/daemon/command_parser.h"
#include "failover/daemon/response_topic.h"
#include "named_logger.h"

namespace failover::daemon {
namespace {

// Duplicate commands (same transaction) within this window are answered again, not redone.
constexpr auto kDuplicateWindow = std::chrono::seconds(60);

}  // namespace

CommandHandler::CommandHandler(const config::Config& config, const Topics& topics,
                               const TimeBase& time_base, ports::MessageBus& bus,
                               const core::TimeSource& time, NodeStats& stats, Dispatch dispatch,
                               NodeRequestHandler node_requests)
    : config_(config),
      topics_(topics),
      time_base_(time_base),
      bus_(bus),
      time_(time),
      stats_(stats),
      dispatch_(std::move(dispatch)),
      node_requests_(std::move(node_requests)),
      log_(namedLogger("node")) {}

CommandHandler::~CommandHandler() = default;

CommandHandler::PendingReply CommandHandler::replyTo(const CommandTopic& topic,
                                                     const ports::BusMessage& message) const {
  PendingReply pending;
  pending.topic = message.topic;
  pending.pair = topic.pair;
  pending.node = topic.node;
  if (topic.kind != CommandTopic::Kind::Request) {
    return pending;
  }
  pending.command = topic.name;
  if (!message.response_topic.empty()) {
    if (responseTopicAllowed(message.response_topic, config_.mqtt.response_topic_prefixes)) {
      pending.response_topic = message.response_topic;
    } else {
      log_->warn("ignored response topic {} of {}: not an allowed topic", message.response_topic,
                 message.topic);
    }
  }
  pending.correlation_data = message.correlation_data;
  return pending;
}

void CommandHandler::onCommand(const CommandTopic& topic, const ports::BusMessage& message) {
  ++stats_.commands;
  const auto now = time_.monotonicNow();
  expireAnswered(now);

  PendingReply pending = replyTo(topic, message);
  if (topic.node) {
    onNodeRequest(topic, message, std::move(pending), now);
    return;
  }
  const std::string command_id = std::to_string(next_command_id_++);
  // Who asked: the payload's `requested_by`, else the MQTT 5 user property, else "mqtt".
  const std::string requested_by = message.requested_by.empty() ? "mqtt" : message.requested_by;
  auto parsed = parseCommand(topic, message.payload, command_id, requested_by);
  if (message.requested_by.size() > kMaxCommandPayloadBytes && !parsed.error) {
    parsed.events.clear();
    parsed.error = "the requested_by user property is over " +
                   std::to_string(kMaxCommandPayloadBytes) + " bytes";
  }
  if (parsed.transaction && answeredBefore(pending, *parsed.transaction)) {
    return;
  }
  if (parsed.error) {
    log_->warn("bad command on {}: {}", message.topic, *parsed.error);
    reply(pending, errorReplyJson(parsed.transaction, "bad_request", *parsed.error).dump());
    return;
  }
  if (const auto unknown = unknownTarget(topic)) {
    log_->warn("refused command on {}: {}", message.topic, unknown->second);
    reply(pending, errorReplyJson(parsed.transaction, unknown->first, unknown->second).dump());
    return;
  }
  if (!pending.dedupe_key.empty()) {
    answered_[pending.dedupe_key] = Answered{now, std::nullopt};
    answered_order_.emplace_back(now, pending.dedupe_key);
  }
  // Every event of one payload shares the command id; the last reply answers the request.
  pending_replies_[command_id] = pending;
  for (auto& event : parsed.events) {
    // A switch is dated from when the bus read the command (the event's `detected`).
    if (auto* command = std::get_if<engine::SwitchCommand>(&event);
        command != nullptr && message.received_at != core::MonoTime{}) {
      command->received_at = message.received_at;
    }
    dispatch_(std::move(event));
  }
}

bool CommandHandler::answeredBefore(PendingReply& pending, const std::string& transaction) {
  pending.dedupe_key = pending.topic + "\n" + transaction;
  const auto known = answered_.find(pending.dedupe_key);
  if (known == answered_.end()) {
    return false;
  }
  ++stats_.duplicate_commands;
  log_->info("duplicate command on {} (transaction {}): answered again, not repeated",
             pending.topic, transaction);
  if (known->second.response) {
    reply(pending, *known->second.response);
  }
  return true;
}

void CommandHandler::onNodeRequest(const CommandTopic& topic, const ports::BusMessage& message,
                                   PendingReply pending, core::MonoTime now) {
  const NodeRequest request = parseNodeRequest(
      topic, message.payload, message.requested_by.empty() ? "mqtt" : message.requested_by);
  if (request.transaction && answeredBefore(pending, *request.transaction)) {
    return;
  }
  if (request.error) {
    log_->warn("bad request on {}: {}", message.topic, *request.error);
    reply(pending, errorReplyJson(request.transaction, "bad_request", *request.error).dump());
    return;
  }
  if (!pending.dedupe_key.empty()) {
    answered_[pending.dedupe_key] = Answered{now, std::nullopt};
    answered_order_.emplace_back(now, pending.dedupe_key);
  }
  reply(pending, node_requests_(request).dump());
}

std::optional<std::pair<std::string, std::string>> CommandHandler::unknownTarget(
    const CommandTopic& topic) const {
  if (!topic.router.empty()) {
    if (config_.findRouter(topic.router) == nullptr) {
      return std::pair{std::string("unknown_router"),
                       "no router '" + topic.router + "' on this node"};
    }
    return std::nullopt;
  }
  if (config_.findPair(topic.pair) == nullptr) {
    return std::pair{std::string("unknown_pair"), "no pair '" + topic.pair + "' on this node"};
  }
  return std::nullopt;
}

void CommandHandler::onReply(const engine::CommandReply& answer) {
  const auto pending = pending_replies_.find(answer.command_id);
  if (!answer.ok) {
    log_->warn("command {} on {} refused: {} {}", answer.command_id,
               pending != pending_replies_.end() ? pending->second.topic : answer.pair,
               answer.error ? engine::toString(*answer.error) : "error", answer.message);
  }
  if (pending == pending_replies_.end()) {
    return;
  }
  reply(pending->second, commandReplyJson(answer, time_base_).dump());
  pending_replies_.erase(pending);
}

void CommandHandler::reply(const PendingReply& pending, const std::string& payload) {
  if (!pending.dedupe_key.empty()) {
    if (auto known = answered_.find(pending.dedupe_key); known != answered_.end()) {
      known->second.response = payload;
    }
  }
  if (pending.command.empty()) {
    return;  // set topics have no response topic; the outcome shows in state and logs
  }
  bus_.publish(pending.node ? topics_.nodeResponse(pending.command)
                            : topics_.response(pending.pair, pending.command),
               payload, {1, false, {}});
  ++stats_.published;
  if (!pending.response_topic.empty()) {
    bus_.publish(pending.response_topic, payload, {1, false, pending.correlation_data});
    ++stats_.published;
  }
}

void CommandHandler::expireAnswered(core::MonoTime now) {
  while (!answered_order_.empty() && now - answered_order_.front().first > kDuplicateWindow) {
    answered_.erase(answered_order_.front().second);
    answered_order_.pop_front();
  }
}

}  // namespace failover::daemon
