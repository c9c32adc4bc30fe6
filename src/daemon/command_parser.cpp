#include "failover/daemon/command_parser.h"

#include <nlohmann/json.hpp>

#include "payload_text.h"

namespace failover::daemon {
namespace {

// Ordered: the events of one `set` payload follow the order of its keys.
using Json = nlohmann::ordered_json;
using Kind = CommandTopic::Kind;

std::optional<config::FailoverMode> modeFrom(std::string_view text) {
  return core::valueOf(config::kFailoverModeNames, text);
}

std::optional<bool> switchFrom(std::string_view text) {
  if (text == "ON" || text == "on" || text == "true") {
    return true;
  }
  if (text == "OFF" || text == "off" || text == "false") {
    return false;
  }
  return std::nullopt;
}

std::optional<bool> switchFrom(const Json& value) {
  if (value.is_boolean()) {
    return value.get<bool>();
  }
  if (value.is_string()) {
    return switchFrom(std::string_view(value.get_ref<const std::string&>()));
  }
  return std::nullopt;
}

class Builder {
 public:
  Builder(const CommandTopic& topic, const std::string& command_id, std::string requested_by)
      : topic_(topic) {
    meta_.command_id = command_id;
    meta_.requested_by = std::move(requested_by);
  }

  ParsedCommand fail(std::string message) {
    ParsedCommand parsed;
    parsed.transaction = meta_.transaction;
    parsed.error = std::move(message);
    return parsed;
  }

  ParsedCommand done() {
    ParsedCommand parsed;
    parsed.transaction = meta_.transaction;
    parsed.events = std::move(events_);
    return parsed;
  }

  void takeMeta(const Json& object) {
    if (const auto transaction = object.find("transaction"); transaction != object.end()) {
      if (transaction->is_string()) {
        meta_.transaction = transaction->get<std::string>();
      } else if (transaction->is_number_integer() || transaction->is_number_unsigned()) {
        meta_.transaction = transaction->dump();
      }
    }
    if (const auto who = object.find("requested_by"); who != object.end() && who->is_string()) {
      meta_.requested_by = who->get<std::string>();
    }
  }

  void switchTo(std::string target, bool force) {
    events_.emplace_back(engine::SwitchCommand{topic_.pair, std::move(target), force, meta_});
  }
  void setMode(config::FailoverMode mode) {
    events_.emplace_back(engine::SetMode{topic_.pair, mode, meta_});
  }
  void setArmed(bool armed) { events_.emplace_back(engine::SetArmed{topic_.pair, armed, meta_}); }
  void getState() { events_.emplace_back(engine::GetState{topic_.pair, meta_}); }
  void setRouterEnabled(bool enabled) {
    events_.emplace_back(engine::SetRouterEnabled{topic_.router, enabled, meta_});
  }

 private:
  const CommandTopic& topic_;
  engine::CommandMeta meta_;
  std::vector<engine::Event> events_;
};

ParsedCommand parseAttribute(Builder& builder, const CommandTopic& topic, std::string_view text) {
  if (topic.name == "active") {
    if (text.empty()) {
      return builder.fail("set/active needs a machine id");
    }
    builder.switchTo(std::string(text), false);
  } else if (topic.name == "mode") {
    const auto mode = modeFrom(text);
    if (!mode) {
      return builder.fail("set/mode takes auto or manual, got '" + std::string(text) + "'");
    }
    builder.setMode(*mode);
  } else if (topic.name == "armed") {
    const auto armed = switchFrom(text);
    if (!armed) {
      return builder.fail("set/armed takes ON or OFF, got '" + std::string(text) + "'");
    }
    builder.setArmed(*armed);
  } else if (topic.name == "swap") {
    if (text != "PRESS" && !text.empty()) {
      return builder.fail("set/swap takes PRESS, got '" + std::string(text) + "'");
    }
    builder.switchTo("other", false);
  } else {
    return builder.fail("unknown setting '" + topic.name + "' (active, mode, armed, swap)");
  }
  return builder.done();
}

ParsedCommand parseSet(Builder& builder, const Json& object) {
  bool any = false;
  for (const auto& [key, value] : object.items()) {
    if (key == "transaction" || key == "requested_by") {
      continue;
    }
    any = true;
    if (key == "active") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        return builder.fail("\"active\" must be a machine id");
      }
      const auto force = object.find("force");
      builder.switchTo(value.get<std::string>(),
                       force != object.end() && force->is_boolean() && force->get<bool>());
    } else if (key == "mode") {
      const auto mode =
          value.is_string() ? modeFrom(value.get_ref<const std::string&>()) : std::nullopt;
      if (!mode) {
        return builder.fail("\"mode\" must be \"auto\" or \"manual\"");
      }
      builder.setMode(*mode);
    } else if (key == "armed") {
      const auto armed = switchFrom(value);
      if (!armed) {
        return builder.fail("\"armed\" must be true, false, \"ON\" or \"OFF\"");
      }
      builder.setArmed(*armed);
    } else if (key == "force") {
      continue;
    } else {
      return builder.fail("unknown key \"" + key + "\" (active, mode, armed, transaction)");
    }
  }
  if (!any) {
    return builder.fail("nothing to set: give active, mode or armed");
  }
  return builder.done();
}

ParsedCommand parseRequest(Builder& builder, const CommandTopic& topic, const Json& object) {
  if (topic.name == "switch") {
    std::string target = "other";
    if (const auto found = object.find("target"); found != object.end()) {
      if (!found->is_string() || found->get_ref<const std::string&>().empty()) {
        return builder.fail("\"target\" must be a machine id");
      }
      target = found->get<std::string>();
    }
    bool force = false;
    if (const auto found = object.find("force"); found != object.end()) {
      if (!found->is_boolean()) {
        return builder.fail("\"force\" must be true or false");
      }
      force = found->get<bool>();
    }
    builder.switchTo(std::move(target), force);
  } else if (topic.name == "set_mode") {
    const auto found = object.find("mode");
    const auto mode = found != object.end() && found->is_string()
                          ? modeFrom(found->get_ref<const std::string&>())
                          : std::nullopt;
    if (!mode) {
      return builder.fail("set_mode needs {\"mode\":\"auto\"} or {\"mode\":\"manual\"}");
    }
    builder.setMode(*mode);
  } else if (topic.name == "arm") {
    builder.setArmed(true);
  } else if (topic.name == "disarm") {
    builder.setArmed(false);
  } else if (topic.name == "get_state") {
    builder.getState();
  } else {
    return builder.fail("unknown request '" + topic.name +
                        "' (switch, set_mode, arm, disarm, get_state)");
  }
  return builder.done();
}

// B/router/<r>/set/enabled: ON or OFF, or a JSON object {"enabled":...} that may name who
// asked and a transaction, like the pairs' set topic.
ParsedCommand parseRouterSetting(Builder& builder, const CommandTopic& topic,
                                 std::string_view text) {
  if (topic.name != "enabled") {
    return builder.fail("unknown router setting '" + topic.name + "' (enabled)");
  }
  if (text.empty() || text.front() != '{') {
    const auto enabled = switchFrom(text);
    if (!enabled) {
      return builder.fail("set/enabled takes ON or OFF, got '" + std::string(text) + "'");
    }
    builder.setRouterEnabled(*enabled);
    return builder.done();
  }
  const Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return builder.fail("payload is not valid JSON");
  }
  builder.takeMeta(object);
  for (const auto& [key, value] : object.items()) {
    if (key != "enabled" && key != "transaction" && key != "requested_by") {
      return builder.fail("unknown key \"" + key + "\" (enabled, transaction, requested_by)");
    }
  }
  const auto found = object.find("enabled");
  const auto enabled = found != object.end() ? switchFrom(*found) : std::nullopt;
  if (!enabled) {
    return builder.fail("\"enabled\" must be true, false, \"ON\" or \"OFF\"");
  }
  builder.setRouterEnabled(*enabled);
  return builder.done();
}

}  // namespace

ParsedCommand parseCommand(const CommandTopic& topic, std::string_view payload,
                           const std::string& command_id, const std::string& requested_by) {
  Builder builder(topic, command_id, requested_by);
  if (payload.size() > kMaxCommandPayloadBytes) {
    return builder.fail("payload larger than " + std::to_string(kMaxCommandPayloadBytes) +
                        " bytes");
  }
  const std::string_view text = trim(payload);
  if (!topic.router.empty()) {
    return parseRouterSetting(builder, topic, text);
  }
  if (topic.kind == Kind::SetAttribute) {
    return parseAttribute(builder, topic, text);
  }
  Json object = Json::object();
  if (!text.empty()) {
    object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) {
      return builder.fail("payload is not valid JSON");
    }
    if (!object.is_object()) {
      return builder.fail("payload must be a JSON object");
    }
  }
  builder.takeMeta(object);
  if (topic.kind == Kind::Set) {
    return parseSet(builder, object);
  }
  return parseRequest(builder, topic, object);
}

NodeRequest parseNodeRequest(const CommandTopic& topic, std::string_view payload,
                             const std::string& requested_by) {
  NodeRequest request;
  request.name = topic.name;
  request.requested_by = requested_by;
  const auto fail = [&request](std::string message) {
    request.error = std::move(message);
    return request;
  };
  if (payload.size() > kMaxCommandPayloadBytes) {
    return fail("payload larger than " + std::to_string(kMaxCommandPayloadBytes) + " bytes");
  }
  const std::string_view text = trim(payload);
  Json object = Json::object();
  if (!text.empty()) {
    object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) {
      return fail("payload is not valid JSON");
    }
    if (!object.is_object()) {
      return fail("payload must be a JSON object");
    }
  }
  for (const auto& [key, value] : object.items()) {
    if (key == "transaction" && value.is_string()) {
      request.transaction = value.get<std::string>();
    } else if (key == "transaction" && (value.is_number_integer() || value.is_number_unsigned())) {
      request.transaction = value.dump();
    } else if (key == "requested_by" && value.is_string()) {
      request.requested_by = value.get<std::string>();
    } else if (key != "transaction" && key != "requested_by") {
      return fail("unknown key \"" + key + "\" (transaction, requested_by)");
    }
  }
  if (request.name != kReloadRequest) {
    return fail("unknown request \"" + request.name + "\" (" + kReloadRequest + ")");
  }
  return request;
}

}  // namespace failover::daemon
