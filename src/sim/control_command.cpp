#include "failover/sim/control_command.h"

#include <vector>

#include "text_parsing.h"

namespace failover::sim {
namespace {

using detail::parseOnOff;
using detail::parseUnsigned;

core::Status usage(std::string_view text) {
  return core::Status::invalidArgument("usage: " + std::string(text));
}

// A 1-based port number, returned zero-based.
std::optional<uint32_t> parsePort(std::string_view text) {
  const auto value = parseUnsigned(text);
  if (!value || *value == 0) {
    return std::nullopt;
  }
  return *value - 1;
}

// The rest of the line after the first `words` words (a label may hold spaces).
std::string_view restAfterWords(std::string_view line, size_t words) {
  size_t pos = 0;
  for (size_t i = 0; i < words; ++i) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
      ++pos;
    }
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') {
      ++pos;
    }
  }
  if (pos < line.size()) {
    ++pos;  // exactly one separator: the label keeps any further leading spaces
  }
  return line.substr(pos);
}

}  // namespace

core::Result<ControlCommand> parseControlCommand(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  const auto words = detail::splitWords(line);
  if (words.empty()) {
    return core::Status::invalidArgument("empty command");
  }
  const std::string_view verb = words[0];
  const size_t args = words.size() - 1;
  ControlCommand command;

  auto onOff = [&](ControlVerb which, const char* text) -> core::Result<ControlCommand> {
    const auto on = args == 1 ? parseOnOff(words[1]) : std::nullopt;
    if (!on) {
      return usage(text);
    }
    command.verb = which;
    command.on = *on;
    return command;
  };
  auto bare = [&](ControlVerb which) -> core::Result<ControlCommand> {
    if (args != 0) {
      return core::Status::invalidArgument(std::string(verb) + " takes no arguments");
    }
    command.verb = which;
    return command;
  };

  if (verb == "route") {
    const auto output = args == 2 ? parsePort(words[1]) : std::nullopt;
    const auto input = args == 2 ? parsePort(words[2]) : std::nullopt;
    if (!output || !input) {
      return usage("route OUT IN (1-based)");
    }
    command.verb = ControlVerb::Route;
    command.output = *output;
    command.input = *input;
    return command;
  }
  if (verb == "label") {
    const auto index = args >= 2 ? parsePort(words[2]) : std::nullopt;
    if (!index || (words[1] != "input" && words[1] != "output")) {
      return usage("label input|output N TEXT");
    }
    command.verb = ControlVerb::Label;
    command.port =
        words[1] == "input" ? videohub::PortKind::VideoInput : videohub::PortKind::VideoOutput;
    command.index = *index;
    command.text = std::string(args >= 3 ? restAfterWords(line, 3) : std::string_view{});
    return command;
  }
  if (verb == "lock") {
    const auto output = args == 2 ? parsePort(words[1]) : std::nullopt;
    if (!output) {
      return usage("lock OUT IP");
    }
    command.verb = ControlVerb::Lock;
    command.output = *output;
    command.text = std::string(words[2]);
    return command;
  }
  if (verb == "unlock") {
    const auto output = args == 1 ? parsePort(words[1]) : std::nullopt;
    if (!output) {
      return usage("unlock OUT");
    }
    command.verb = ControlVerb::Unlock;
    command.output = *output;
    return command;
  }
  if (verb == "burst-limit") {
    command.verb = ControlVerb::BurstLimit;
    if (args == 1 && words[1] == "off") {
      return command;
    }
    const auto count = args == 2 ? parseUnsigned(words[1]) : std::nullopt;
    const auto millis = args == 2 ? parseUnsigned(words[2]) : std::nullopt;
    if (!count || !millis || *millis == 0) {
      return usage("burst-limit N MS | burst-limit off");
    }
    command.on = true;
    command.count = *count;
    command.millis = *millis;
    return command;
  }
  if (verb == "ack-delay") {
    const auto millis = args == 1 ? parseUnsigned(words[1]) : std::nullopt;
    if (!millis) {
      return usage("ack-delay MS");
    }
    command.verb = ControlVerb::AckDelay;
    command.millis = *millis;
    return command;
  }
  if (verb == "withhold-acks") {
    return onOff(ControlVerb::WithholdAcks, "withhold-acks on|off");
  }
  if (verb == "silent") {
    return onOff(ControlVerb::Silent, "silent on|off");
  }
  if (verb == "close") {
    return bare(ControlVerb::Close);
  }
  if (verb == "refuse") {
    const auto on = args == 2 ? parseOnOff(words[2]) : std::nullopt;
    if (!on) {
      return usage("refuse IP on|off");
    }
    command.verb = ControlVerb::Refuse;
    command.text = std::string(words[1]);
    command.on = *on;
    return command;
  }
  if (verb == "redump") {
    const auto inputs = args == 2 ? parseUnsigned(words[1]) : std::nullopt;
    const auto outputs = args == 2 ? parseUnsigned(words[2]) : std::nullopt;
    if (!inputs || !outputs || *inputs == 0 || *outputs == 0) {
      return usage("redump INPUTS OUTPUTS");
    }
    command.verb = ControlVerb::Redump;
    command.count = *inputs;
    command.outputs = *outputs;
    return command;
  }
  if (verb == "device-present") {
    command.verb = ControlVerb::DevicePresent;
    const auto presence =
        args == 1 ? core::valueOf(videohub::kDevicePresenceNames, words[1]) : std::nullopt;
    if (!presence) {
      return usage("device-present true|false|needs_update");
    }
    command.presence = *presence;
    return command;
  }
  if (verb == "split-writes" || verb == "coalesce") {
    const bool split = verb == "split-writes";
    command.verb = split ? ControlVerb::SplitWrites : ControlVerb::Coalesce;
    if (args == 1 && words[1] == "off") {
      return command;
    }
    const auto value = args == 1 ? parseUnsigned(words[1]) : std::nullopt;
    if (!value || *value == 0) {
      return usage(split ? "split-writes N | split-writes off" : "coalesce MS | coalesce off");
    }
    command.on = true;
    (split ? command.count : command.millis) = *value;
    return command;
  }
  if (verb == "locked-route") {
    command.verb = ControlVerb::LockedRoute;
    const auto refusal = args == 1 ? core::valueOf(kRefusalReplyNames, words[1]) : std::nullopt;
    if (!refusal) {
      return usage("locked-route nak|ack");
    }
    command.refusal = *refusal;
    return command;
  }
  if (verb == "end-prelude") {
    return onOff(ControlVerb::EndPrelude, "end-prelude on|off");
  }
  if (verb == "status") {
    return bare(ControlVerb::Status);
  }
  if (verb == "clients") {
    return bare(ControlVerb::Clients);
  }
  if (verb == "wait-clients") {
    const auto count = args == 2 ? parseUnsigned(words[1]) : std::nullopt;
    const auto millis = args == 2 ? parseUnsigned(words[2]) : std::nullopt;
    if (!count || !millis) {
      return usage("wait-clients N MS");
    }
    command.verb = ControlVerb::WaitClients;
    command.count = *count;
    command.millis = *millis;
    return command;
  }
  if (verb == "route-before-ack") {
    command.verb = ControlVerb::RouteBeforeAck;
    if (args == 1 && words[1] == "off") {
      return command;
    }
    const auto output = args == 2 ? parsePort(words[1]) : std::nullopt;
    const auto input = args == 2 ? parsePort(words[2]) : std::nullopt;
    if (!output || !input) {
      return usage("route-before-ack OUT IN | route-before-ack off");
    }
    command.on = true;
    command.output = *output;
    command.input = *input;
    return command;
  }
  if (verb == "quit") {
    return bare(ControlVerb::Quit);
  }
  return core::Status::invalidArgument("unknown command '" + std::string(verb) + "'");
}

}  // namespace failover::sim
