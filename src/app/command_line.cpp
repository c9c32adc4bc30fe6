#include "failover/app/command_line.h"

#include <charconv>
#include <optional>
#include <string_view>

namespace failover::app {
namespace {

using core::Result;
using core::Status;

constexpr int64_t kMaxTimeoutMs = 600000;

bool isLogLevel(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
         level == "error";
}

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Result<CommandLine> parseCommandLine(const std::vector<std::string>& args) {
  CommandLine result;
  std::optional<Command> command;
  bool timeout_given = false;
  auto set_command = [&](Command next, std::string_view flag) -> Status {
    // --test-connection --config FILE: the configuration names the routers to test.
    if ((command == Command::TestConnection && next == Command::Run) ||
        (command == Command::Run && next == Command::TestConnection)) {
      command = Command::TestConnection;
      return Status::ok();
    }
    if (command && *command != next) {
      return Status::invalidArgument(std::string(flag) +
                                     " cannot be combined with another command flag");
    }
    command = next;
    return Status::ok();
  };

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    // Flags that take a value accept both "--flag value" and "--flag=value".
    std::string name = flag;
    std::optional<std::string> inline_value;
    if (const auto equals = flag.find('=');
        flag.rfind("--", 0) == 0 && equals != std::string::npos) {
      name = flag.substr(0, equals);
      inline_value = flag.substr(equals + 1);
    }
    auto take_value = [&]() -> Result<std::string> {
      if (inline_value) {
        if (inline_value->empty()) {
          return Status::invalidArgument(name + " needs a value");
        }
        return *inline_value;
      }
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0 || args[i + 1].empty()) {
        return Status::invalidArgument(name + " needs a value");
      }
      return args[++i];
    };
    auto no_value = [&]() -> Status {
      return inline_value ? Status::invalidArgument(name + " takes no value") : Status::ok();
    };

    Status status;
    if (name == "--config" || name == "--check-config") {
      status = set_command(name == "--config" ? Command::Run : Command::CheckConfig, name);
      if (status.isOk()) {
        auto value = take_value();
        if (!value) {
          return value.status();
        }
        result.config_path = std::move(value).value();
      }
    } else if (name == "--test-connection") {
      status = set_command(Command::TestConnection, name);
      // Without an address it checks the routers of --config FILE.
      const bool has_address =
          inline_value || (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0);
      if (status.isOk() && has_address) {
        auto value = take_value();
        if (!value) {
          return value.status();
        }
        result.router_address = std::move(value).value();
      }
    } else if (name == "--version") {
      status = no_value();
      if (status.isOk()) {
        status = set_command(Command::Version, name);
      }
    } else if (name == "--help" || name == "-h") {
      status = no_value();
      if (status.isOk()) {
        status = set_command(Command::Help, name);
      }
    } else if (name == "--json") {
      status = no_value();
      result.json = true;
    } else if (name == "--timeout-ms") {
      auto value = take_value();
      if (!value) {
        return value.status();
      }
      const auto parsed = parseInteger(value.value());
      if (!parsed || *parsed < 1 || *parsed > kMaxTimeoutMs) {
        return Status::invalidArgument(
            "--timeout-ms must be a whole number of milliseconds from 1 to " +
            std::to_string(kMaxTimeoutMs) + ", got '" + value.value() + "'");
      }
      result.timeout_ms = *parsed;
      timeout_given = true;
    } else if (name == "--log-level") {
      auto value = take_value();
      if (!value) {
        return value.status();
      }
      if (!isLogLevel(value.value())) {
        return Status::invalidArgument(
            "--log-level must be trace, debug, info, warn or error, got '" + value.value() + "'");
      }
      result.log_level = value.value();
    } else if (name == "--log-format") {
      auto value = take_value();
      if (!value) {
        return value.status();
      }
      if (value.value() == "text") {
        result.log_format = LogFormat::Text;
      } else if (value.value() == "json") {
        result.log_format = LogFormat::Json;
      } else {
        return Status::invalidArgument("--log-format must be text or json, got '" + value.value() +
                                       "'");
      }
    } else {
      return Status::invalidArgument("unknown argument '" + flag + "' (see --help)");
    }
    if (!status.isOk()) {
      return status;
    }
  }

  if (!command) {
    return Status::invalidArgument(
        "nothing to do: give --config FILE, --check-config FILE or --test-connection HOST[:PORT] "
        "(see --help)");
  }
  result.command = *command;
  if (result.command == Command::TestConnection) {
    if (result.router_address.empty() && result.config_path.empty()) {
      return Status::invalidArgument("--test-connection needs HOST[:PORT] or --config FILE");
    }
    if (!result.router_address.empty() && !result.config_path.empty()) {
      return Status::invalidArgument(
          "--test-connection takes HOST[:PORT] or --config FILE, not both");
    }
  }
  if ((result.json || timeout_given) && result.command != Command::TestConnection) {
    return Status::invalidArgument("--json and --timeout-ms only apply to --test-connection");
  }
  return result;
}

std::string usageText() {
  return R"(failover-node: keeps live broadcast on air by switching render machines on a Videohub

Usage:
  failover-node --config FILE                  run the daemon
  failover-node --check-config FILE            validate a configuration; exit 0 and a summary,
                                               or exit 1 and every error as
                                               FILE:LINE:COL: key.path: message
  failover-node --test-connection HOST[:PORT]  connect to a Videohub (port 9990 by default),
                [--json] [--timeout-ms N]      read its prelude and print protocol version,
                                               model, friendly name, inputs, outputs and locked
                                               outputs; exit 0 if the device is present, else 1
  failover-node --test-connection --config FILE
                [--json] [--timeout-ms N]      connect to every router of FILE and check the
                                               configuration against each: every output and
                                               input of its pairs exists, no output of a pair is
                                               locked by another client (unless force_unlock);
                                               exit 0 if all is well, else 1 with each problem
  failover-node --version | --help

Common options:
  --log-level trace|debug|info|warn|error      (default info)
  --log-format text|json                       (default text)
)";
}

}  // namespace failover::app
