#include "failover/render_sim/fault_command.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "failover/render_sim/render_options.h"

namespace failover::render_sim {
namespace {

using core::Status;

constexpr std::size_t kMaxLineBytes = 1024;
constexpr const char* kDefaultParameter = "gpu_temp_c";
constexpr double kDefaultCriticalValue = 99;

std::vector<std::string> splitWords(std::string_view line) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (at < line.size()) {
    const auto start = line.find_first_not_of(" \t\r\n", at);
    if (start == std::string_view::npos) {
      break;
    }
    const auto end = std::min(line.find_first_of(" \t\r\n", start), line.size());
    words.emplace_back(line.substr(start, end - start));
    at = end;
  }
  return words;
}

std::optional<Check> parseCheck(std::string_view word) {
  for (const Check check : kAllChecks) {
    if (word == checkName(check)) {
      return check;
    }
  }
  return std::nullopt;
}

bool isMachineWord(const std::string& word) {
  return word == "all" || isValidMachineId(word);
}

bool isParameterName(const std::string& word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<double> parseNumber(const std::string& word) {
  double value = 0;
  const auto* end = word.data() + word.size();
  const auto [ptr, ec] = std::from_chars(word.data(), end, value);
  if (word.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// The machine word at `index`, or the default when the line ends before it.
core::Result<std::string> machineAt(const std::vector<std::string>& words, std::size_t index,
                                    const std::string& default_machine) {
  if (index < words.size()) {
    if (!isMachineWord(words[index])) {
      return Status::invalidArgument("bad machine id '" + words[index] + "'");
    }
    return words[index];
  }
  if (default_machine.empty()) {
    return Status::invalidArgument(words[0] + ": which machine? (an id or all)");
  }
  return default_machine;
}

Status usage(const std::string& verb, const char* form) {
  return Status::invalidArgument("usage: " + verb + " " + form);
}

Status unknownCheck(const std::string& word) {
  return Status::invalidArgument("unknown check '" + word +
                                 "', expected engine|videoio|network|diagnostics");
}

core::Result<FaultCommand> parseCheckCommand(Verb verb, const std::vector<std::string>& words,
                                             const std::string& default_machine) {
  if (words.size() < 2 || words.size() > 3) {
    return usage(words[0], "engine|videoio|network|diagnostics MACHINE");
  }
  const auto check = parseCheck(words[1]);
  if (!check) {
    return unknownCheck(words[1]);
  }
  auto machine = machineAt(words, 2, default_machine);
  if (!machine) {
    return machine.status();
  }
  FaultCommand command;
  command.verb = verb;
  command.check = check;
  command.machine = *machine;
  return command;
}

core::Result<FaultCommand> parseCritical(const std::vector<std::string>& words,
                                         const std::string& default_machine) {
  if (words.size() > 4) {
    return usage(words[0], "MACHINE [PARAMETER] [VALUE]");
  }
  auto machine = machineAt(words, 1, default_machine);
  if (!machine) {
    return machine.status();
  }
  FaultCommand command;
  command.verb = Verb::Critical;
  command.machine = *machine;
  command.parameter = words.size() > 2 ? words[2] : kDefaultParameter;
  if (!isParameterName(command.parameter)) {
    return Status::invalidArgument("bad parameter name '" + command.parameter +
                                   "', expected [a-z0-9_]+");
  }
  if (words.size() > 3) {
    command.value = parseNumber(words[3]);
    if (!command.value) {
      return Status::invalidArgument("bad value '" + words[3] + "', expected a number");
    }
  } else if (command.parameter == kDefaultParameter) {
    command.value = kDefaultCriticalValue;
  }
  return command;
}

core::Result<FaultCommand> parseMode(const std::vector<std::string>& words,
                                     const std::string& default_machine) {
  if (words.size() < 2 || words.size() > 3) {
    return usage(words[0], "MACHINE live|edit");
  }
  const std::string& mode = words.back();
  if (mode != "live" && mode != "edit") {
    return Status::invalidArgument("bad mode '" + mode + "', expected live or edit");
  }
  auto machine = words.size() == 3 ? machineAt(words, 1, "") : machineAt(words, 2, default_machine);
  if (!machine) {
    return machine.status();
  }
  FaultCommand command;
  command.verb = Verb::Mode;
  command.machine = *machine;
  command.mode = mode;
  return command;
}

core::Result<FaultCommand> parseRecover(const std::vector<std::string>& words,
                                        const std::string& default_machine) {
  if (words.size() > 3) {
    return usage(words[0], "[engine|videoio|network|diagnostics] MACHINE");
  }
  if (words.size() >= 2) {
    if (const auto check = parseCheck(words[1])) {
      return parseCheckCommand(Verb::Recover, words, default_machine);
    }
    if (words.size() == 3) {
      return unknownCheck(words[1]);
    }
  }
  auto machine = machineAt(words, 1, default_machine);
  if (!machine) {
    return machine.status();
  }
  FaultCommand command;
  command.verb = Verb::Recover;
  command.machine = *machine;
  return command;
}

void recoverCheck(MachineState& state, Check check, FaultOutcome& outcome) {
  state.level(check) = Level::Ok;
  state.isHung(check) = false;
  if (check == Check::Diagnostics) {
    state.parameters = defaultParameters();
  }
  // A network drop is a network fault: recovering the network brings the link back.
  if (check == Check::Network && state.dropped) {
    state.dropped = false;
    outcome.reconnect.push_back(state.id);
  }
}

// Applies a change to one machine; `false` means the command does not fit its state.
Status applyToMachine(const FaultCommand& command, MachineState& state, FaultOutcome& outcome) {
  switch (command.verb) {
    case Verb::Fail:
    case Verb::Warn:
      state.level(*command.check) = command.verb == Verb::Fail ? Level::Fail : Level::Warn;
      state.isHung(*command.check) = false;
      return Status::ok();
    case Verb::Hang:
      state.isHung(*command.check) = true;
      return Status::ok();
    case Verb::Drop:
      if (!state.dropped) {
        state.dropped = true;
        outcome.cut.push_back(state.id);
      }
      return Status::ok();
    case Verb::Critical: {
      auto found = std::find_if(state.parameters.begin(), state.parameters.end(),
                                [&](const Parameter& p) { return p.name == command.parameter; });
      if (found == state.parameters.end()) {
        if (!command.value) {
          return Status::invalidArgument("critical: parameter '" + command.parameter +
                                         "' is new, give its VALUE too");
        }
        state.parameters.push_back({command.parameter, *command.value, "critical"});
        return Status::ok();
      }
      found->value = command.value.value_or(found->value);
      found->level = "critical";
      return Status::ok();
    }
    case Verb::Mode:
      state.mode = command.mode;
      return Status::ok();
    case Verb::Recover:
      if (command.check) {
        recoverCheck(state, *command.check, outcome);
      } else {
        for (const Check check : kAllChecks) {
          recoverCheck(state, check, outcome);
        }
        state.parameters = defaultParameters();
      }
      return Status::ok();
    case Verb::Status:
    case Verb::Help:
    case Verb::Quit:
      return Status::ok();
  }
  return Status::ok();
}

}  // namespace

core::Result<FaultCommand> parseFaultCommand(std::string_view line,
                                             const std::string& default_machine) {
  if (line.size() > kMaxLineBytes) {
    return Status::invalidArgument("command longer than 1024 bytes");
  }
  const auto words = splitWords(line);
  if (words.empty()) {
    return Status::invalidArgument("empty command (try help)");
  }
  const std::string& verb = words[0];
  if (verb == "fail") {
    return parseCheckCommand(Verb::Fail, words, default_machine);
  }
  if (verb == "warn") {
    return parseCheckCommand(Verb::Warn, words, default_machine);
  }
  if (verb == "hang") {
    return parseCheckCommand(Verb::Hang, words, default_machine);
  }
  if (verb == "drop") {
    if (words.size() > 2) {
      return usage(verb, "MACHINE");
    }
    auto machine = machineAt(words, 1, default_machine);
    if (!machine) {
      return machine.status();
    }
    FaultCommand command;
    command.verb = Verb::Drop;
    command.machine = *machine;
    return command;
  }
  if (verb == "critical") {
    return parseCritical(words, default_machine);
  }
  if (verb == "mode") {
    return parseMode(words, default_machine);
  }
  if (verb == "recover") {
    return parseRecover(words, default_machine);
  }
  for (const auto& [name, simple] :
       {std::pair{"status", Verb::Status}, {"help", Verb::Help}, {"quit", Verb::Quit}}) {
    if (verb == name) {
      if (words.size() != 1) {
        return Status::invalidArgument(verb + " takes no arguments");
      }
      FaultCommand command;
      command.verb = simple;
      return command;
    }
  }
  return Status::invalidArgument("unknown command '" + verb + "' (try help)");
}

FaultOutcome applyFaultCommand(const FaultCommand& command, std::vector<MachineState>& machines,
                               const std::function<bool(const std::string&)>& connected) {
  FaultOutcome outcome;
  switch (command.verb) {
    case Verb::Status:
      for (const auto& state : machines) {
        outcome.answer.push_back(statusLine(state, connected && connected(state.id)));
      }
      outcome.answer.emplace_back("ok");
      return outcome;
    case Verb::Help:
      outcome.answer.emplace_back(
          "commands: fail|warn|hang CHECK M, drop M, critical M [PARAM] [VALUE], "
          "mode M live|edit, recover [CHECK] M, status, help, quit "
          "(CHECK = engine|videoio|network|diagnostics, M = id or all)");
      outcome.answer.emplace_back("ok");
      return outcome;
    case Verb::Quit:
      outcome.quit = true;
      outcome.answer.emplace_back("ok");
      return outcome;
    default:
      break;
  }
  std::vector<MachineState*> targets;
  for (auto& state : machines) {
    if (command.machine == "all" || state.id == command.machine) {
      targets.push_back(&state);
    }
  }
  if (targets.empty()) {
    outcome.answer.push_back("error unknown machine '" + command.machine + "'");
    return outcome;
  }
  for (auto* state : targets) {
    if (auto status = applyToMachine(command, *state, outcome); !status.isOk()) {
      outcome.answer.push_back("error " + status.message());
      return outcome;
    }
  }
  outcome.answer.emplace_back("ok");
  return outcome;
}

}  // namespace failover::render_sim
