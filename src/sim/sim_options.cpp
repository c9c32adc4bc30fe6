#include "failover/sim/sim_options.h"

#include <functional>
#include <map>
#include <string_view>

#include <asio/ip/address.hpp>

#include "failover/core/host_port.h"
#include "text_parsing.h"

namespace failover::sim {
namespace {

using core::Status;
using detail::parseUnsigned;

Status badValue(std::string_view flag, std::string_view value, std::string_view expected) {
  return Status::invalidArgument(std::string(flag) + ": bad value '" + std::string(value) +
                                 "', expected " + std::string(expected));
}

struct HostPort {
  std::string host;
  uint16_t port = 0;
  bool loopback = false;
};

// "HOST:PORT" with an IPv4 or IPv6 literal ("[::1]:9990") or "localhost"; port 0 picks one.
std::optional<HostPort> parseHostPort(std::string_view text) {
  core::AddressRules rules;
  rules.port_required = true;
  rules.allow_port_zero = true;
  const auto parsed = core::parseHostPort(text, rules);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  std::string host = parsed.address.host;
  if (host == "localhost") {
    host = "127.0.0.1";
  }
  asio::error_code error;
  const auto address = asio::ip::make_address(host, error);
  if (error) {
    return std::nullopt;
  }
  return HostPort{address.to_string(), *parsed.address.port, address.is_loopback()};
}

std::optional<std::string> normalizeIp(std::string_view text) {
  asio::error_code error;
  const auto address = asio::ip::make_address(std::string(text), error);
  if (error) {
    return std::nullopt;
  }
  return address.to_string();
}

// "N=VALUE" with a 1-based N, returned zero-based.
std::optional<std::pair<uint32_t, std::string>> parseIndexed(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    return std::nullopt;
  }
  const auto index = parseUnsigned(text.substr(0, equals));
  if (!index || *index == 0) {
    return std::nullopt;
  }
  return std::make_pair(*index - 1, std::string(text.substr(equals + 1)));
}

bool isHex(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (const char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) {
      return false;
    }
  }
  return true;
}

std::optional<bool> parseSwitch(std::string_view text) {
  return detail::parseOnOff(text);
}

using Handler = std::function<Status(std::string_view flag, std::string_view value)>;

}  // namespace

core::Result<SimOptions> parseSimOptions(const std::vector<std::string>& args) {
  SimOptions options;
  auto& router = options.router;
  auto& faults = options.faults;
  std::optional<HostPort> listen;

  auto count = [](std::string_view flag, std::string_view value, uint32_t& target) -> Status {
    const auto number = parseUnsigned(value);
    if (!number || *number == 0 || *number > videohub::kMaxPortIndex + 1) {
      return badValue(flag, value, "a port count 1..4096");
    }
    target = *number;
    return Status::ok();
  };
  auto millis = [](std::string_view flag, std::string_view value, uint32_t& target) -> Status {
    const auto number = parseUnsigned(value);
    if (!number) {
      return badValue(flag, value, "a number of milliseconds");
    }
    target = *number;
    return Status::ok();
  };
  auto text = [](std::string& target) {
    return [&target](std::string_view flag, std::string_view value) -> Status {
      if (value.find_first_of("\r\n") != std::string_view::npos) {
        return badValue(flag, value, "text on one line");
      }
      target = std::string(value);
      return Status::ok();
    };
  };
  auto label = [](std::map<uint32_t, std::string>& target) {
    return [&target](std::string_view flag, std::string_view value) -> Status {
      const auto entry = parseIndexed(value);
      if (!entry) {
        return badValue(flag, value, "N=TEXT with a 1-based N");
      }
      target[entry->first] = entry->second;
      return Status::ok();
    };
  };

  const std::map<std::string_view, Handler> handlers = {
      {"--listen",
       [&](std::string_view flag, std::string_view value) -> Status {
         listen = parseHostPort(value);
         return listen ? Status::ok() : badValue(flag, value, "HOST:PORT, e.g. 127.0.0.1:9990");
       }},
      {"--inputs",
       [&](auto flag, auto value) {
         return count(flag, value, router.inputs);
       }},
      {"--outputs",
       [&](auto flag, auto value) {
         return count(flag, value, router.outputs);
       }},
      {"--model", text(router.model_name)},
      {"--friendly-name", text(router.friendly_name)},
      {"--unique-id",
       [&](std::string_view flag, std::string_view value) -> Status {
         if (!isHex(value)) {
           return badValue(flag, value, "hexadecimal digits");
         }
         router.unique_id = std::string(value);
         return Status::ok();
       }},
      {"--protocol",
       [&](std::string_view flag, std::string_view value) -> Status {
         if (value.empty() || value.find_first_not_of("0123456789.") != std::string_view::npos) {
           return badValue(flag, value, "a version such as 2.8");
         }
         router.protocol_version = std::string(value);
         return Status::ok();
       }},
      {"--input-label", label(router.input_labels)},
      {"--output-label", label(router.output_labels)},
      {"--route",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto entry = parseIndexed(value);
         const auto input = entry ? parseUnsigned(entry->second) : std::nullopt;
         if (!input || *input == 0) {
           return badValue(flag, value, "OUT=IN, both 1-based");
         }
         router.routes[entry->first] = *input - 1;
         return Status::ok();
       }},
      {"--lock",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto entry = parseIndexed(value);
         const auto ip = entry ? normalizeIp(entry->second) : std::nullopt;
         if (!ip) {
           return badValue(flag, value, "OUT=IP, e.g. 1=127.0.0.9");
         }
         router.locks[entry->first] = *ip;
         return Status::ok();
       }},
      {"--end-prelude",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto on = parseSwitch(value);
         if (!on) {
           return badValue(flag, value, "on or off");
         }
         router.end_prelude = *on;
         return Status::ok();
       }},
      {"--device-counts",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto on = parseSwitch(value);
         if (!on) {
           return badValue(flag, value, "on or off");
         }
         router.device_counts = *on;
         return Status::ok();
       }},
      {"--network-blocks",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto on = parseSwitch(value);
         if (!on) {
           return badValue(flag, value, "on or off");
         }
         router.network_blocks = *on;
         return Status::ok();
       }},
      {"--block-order",
       [&](std::string_view flag, std::string_view value) -> Status {
         if (value == "manual") {
           router.block_order = BlockOrder::Manual;
         } else if (value == "2.8") {
           router.block_order = BlockOrder::Protocol28;
         } else {
           return badValue(flag, value, "manual or 2.8");
         }
         return Status::ok();
       }},
      {"--line-ending",
       [&](std::string_view flag, std::string_view value) -> Status {
         if (value == "lf") {
           router.line_ending = LineEnding::Lf;
         } else if (value == "crlf") {
           router.line_ending = LineEnding::CrLf;
         } else {
           return badValue(flag, value, "lf or crlf");
         }
         return Status::ok();
       }},
      {"--device-present",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto presence = core::valueOf(videohub::kDevicePresenceNames, value);
         if (!presence) {
           return badValue(flag, value, "true, false or needs_update");
         }
         router.presence = *presence;
         return Status::ok();
       }},
      {"--locked-route",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto refusal = core::valueOf(kRefusalReplyNames, value);
         if (!refusal) {
           return badValue(flag, value, "nak or ack");
         }
         router.refusal_reply = *refusal;
         return Status::ok();
       }},
      {"--burst-limit",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto slash = value.find('/');
         const auto n = parseUnsigned(value.substr(0, slash));
         const auto ms = slash == std::string_view::npos ? std::nullopt
                                                         : parseUnsigned(value.substr(slash + 1));
         if (!n || !ms || *ms == 0) {
           return badValue(flag, value, "N/MS, e.g. 8/5");
         }
         faults.burst_limit = BurstLimit{*n, *ms};
         return Status::ok();
       }},
      {"--ack-delay-ms",
       [&](auto flag, auto value) {
         return millis(flag, value, faults.ack_delay_ms);
       }},
      {"--split-writes",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto n = parseUnsigned(value);
         if (!n) {
           return badValue(flag, value, "a number of bytes (0 = off)");
         }
         faults.split_writes = *n;
         return Status::ok();
       }},
      {"--coalesce-ms",
       [&](auto flag, auto value) {
         return millis(flag, value, faults.coalesce_ms);
       }},
      {"--control",
       [&](std::string_view flag, std::string_view value) -> Status {
         if (value == "stdin") {
           options.control = ControlMode::Stdin;
         } else if (value == "none") {
           options.control = ControlMode::None;
         } else {
           const auto address = parseHostPort(value);
           if (!address || !address->loopback) {
             return badValue(flag, value, "stdin, none or a loopback HOST:PORT");
           }
           options.control = ControlMode::Tcp;
           options.control_host = address->host;
           options.control_port = address->port;
         }
         return Status::ok();
       }},
      {"--duration-s",
       [&](std::string_view flag, std::string_view value) -> Status {
         const auto seconds = parseUnsigned(value);
         if (!seconds || *seconds == 0) {
           return badValue(flag, value, "a positive number of seconds");
         }
         options.duration_s = *seconds;
         return Status::ok();
       }},
      {"--log-level",
       [&](std::string_view flag, std::string_view value) -> Status {
         for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
           if (value == level) {
             options.log_level = std::string(value);
             return Status::ok();
           }
         }
         return badValue(flag, value, "trace, debug, info, warn, error, critical or off");
       }},
  };

  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    if (arg == "--allow-remote") {
      options.allow_remote = true;
      continue;
    }
    std::string_view value;
    bool has_value = false;
    if (const auto equals = arg.find('=');
        equals != std::string_view::npos && arg.starts_with("--")) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
      has_value = true;
    }
    const auto handler = handlers.find(arg);
    if (handler == handlers.end()) {
      return Status::invalidArgument("unknown option '" + std::string(arg) + "' (see --help)");
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return Status::invalidArgument(std::string(arg) + ": missing value");
      }
      value = args[++i];
    }
    if (auto status = handler->second(arg, value); !status.isOk()) {
      return status;
    }
  }

  if (listen) {
    if (!listen->loopback && !options.allow_remote) {
      return Status::invalidArgument("--listen " + listen->host +
                                     ": not a loopback address; add --allow-remote to serve a "
                                     "real network");
    }
    options.listen_host = listen->host;
    options.listen_port = listen->port;
  }
  if (auto status = RouterModel::validateSettings(router); !status.isOk()) {
    return status;
  }
  return options;
}

std::string usageText() {
  return R"(usage: videohub-sim [options]
A Blackmagic Videohub simulator (TCP 9990 protocol) for rehearsals and tests.

  --listen HOST:PORT            default 127.0.0.1:9990; port 0 picks a free port
  --allow-remote                allow a non-loopback --listen address
  --inputs N --outputs N        matrix size (default 40x40)
  --model TEXT --friendly-name TEXT --unique-id HEX --protocol VERSION
  --input-label N=TEXT  --output-label N=TEXT       (1-based N, repeatable)
  --route OUT=IN                initial route, 1-based (default output N <- input N)
  --lock OUT=IP                 output locked by a client at IP
  --end-prelude on|off          send END PRELUDE (default on)
  --device-counts on|off        send the monitoring/serial/processing counts (default on)
  --block-order manual|2.8      prelude block order (default 2.8)
  --network-blocks on|off       add NETWORK and NETWORK INTERFACE 0 blocks (default off)
  --line-ending lf|crlf         (default lf)
  --device-present true|false|needs_update
  --locked-route nak|ack        answer to a request refused as a whole (default nak)
  --burst-limit N/MS            accept N request blocks per MS; ACK and drop the rest
  --ack-delay-ms N  --split-writes N  --coalesce-ms N
  --control stdin|none|HOST:PORT   control channel (default stdin; loopback only)
  --duration-s N                exit after N seconds
  --log-level LEVEL             trace|debug|info|warn|error|critical|off (default info)

Prints "listening on HOST:PORT" once bound. See docs/videohub-sim.md.
)";
}

}  // namespace failover::sim
