#include "failover/render_sim/render_options.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string_view>

#include "failover/config/config.h"
#include "failover/config/loader.h"
#include "failover/core/host_port.h"

namespace failover::render_sim {
namespace {

using core::Status;

constexpr std::string_view kPlaceholder = "{machine}";
constexpr int kMinRateMs = 10;
constexpr int kMaxRateMs = 60000;
constexpr int kMaxDurationS = 7 * 24 * 3600;

Status badValue(std::string_view flag, std::string_view value, std::string_view expected) {
  return Status::invalidArgument(std::string(flag) + ": bad value '" + std::string(value) +
                                 "', expected " + std::string(expected));
}

std::optional<int> parseInt(std::string_view text, int low, int high) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

std::size_t countPlaceholders(std::string_view pattern) {
  std::size_t count = 0;
  for (auto at = pattern.find(kPlaceholder); at != std::string_view::npos;
       at = pattern.find(kPlaceholder, at + kPlaceholder.size())) {
    ++count;
  }
  return count;
}

// A publish topic pattern: names the machine, and has no wildcards once expanded.
Status checkPattern(std::string_view flag, const std::string& pattern, bool exactly_one) {
  const auto count = countPlaceholders(pattern);
  if (count == 0 || (exactly_one && count != 1)) {
    return badValue(flag, pattern,
                    exactly_one ? "a topic with exactly one {machine}" : "a topic with {machine}");
  }
  if (pattern.find_first_of("+#") != std::string::npos || pattern.front() == '/' ||
      pattern.back() == '/') {
    return badValue(flag, pattern, "a topic without wildcards or leading/trailing '/'");
  }
  return Status::ok();
}

// "tcp://HOST:PORT" or "mqtt://HOST:PORT" (the port defaults to 1883); no TLS, websockets or
// path: the machines' connections go through a plain TCP relay.
Status parseBroker(const std::string& uri, RenderSimOptions& options) {
  const auto scheme = core::brokerSchemeOf(uri);
  if (!scheme || scheme->tls || scheme->websocket) {
    return badValue("--broker", uri, "tcp://HOST:PORT or mqtt://HOST:PORT");
  }
  const auto parsed = core::parseBrokerUri(uri);
  if (parsed.error == core::AddressError::UnclosedBracket ||
      parsed.error == core::AddressError::TextAfterBracket) {
    return badValue("--broker", uri, "tcp://HOST:PORT");
  }
  if (!parsed.ok() || !parsed.broker.path.empty()) {
    return badValue("--broker", uri, "tcp://HOST:PORT with a port 1-65535");
  }
  options.broker_uri = uri;
  options.broker_host = parsed.broker.host;
  options.broker_port = std::to_string(parsed.broker.port);
  return Status::ok();
}

Status addMachines(const std::string& value, std::vector<std::string>& machines) {
  std::string_view rest(value);
  while (true) {
    const auto comma = rest.find(',');
    const std::string id(rest.substr(0, comma));
    if (!isValidMachineId(id) || id == "all") {
      return badValue("--machine", id, "an id of [a-z0-9_-]+ other than 'all'");
    }
    if (std::find(machines.begin(), machines.end(), id) != machines.end()) {
      return Status::invalidArgument("--machine: '" + id + "' is given twice");
    }
    machines.push_back(id);
    if (comma == std::string_view::npos) {
      return Status::ok();
    }
    rest.remove_prefix(comma + 1);
  }
}

// Health topics (and machines, when none were given) from the node's configuration.
Status readNodeConfig(const std::string& path, RenderSimOptions& options,
                      const std::set<std::string>& explicit_flags) {
  const auto loaded = config::loadConfigFile(path);
  if (!loaded.ok()) {
    return Status::invalidArgument("--topics-from: " + loaded.errors.front().render());
  }
  const auto& topics = loaded.config.health.topics;
  const auto take = [&](config::Check check, const char* flag, std::string& target) {
    if (const auto found = topics.find(check);
        found != topics.end() && explicit_flags.count(flag) == 0) {
      target = found->second;
    }
  };
  take(config::Check::Status, "--status-topic", options.topics.status);
  take(config::Check::Engine, "--engine-topic", options.topics.engine);
  take(config::Check::VideoIo, "--videoio-topic", options.topics.videoio);
  take(config::Check::Network, "--network-topic", options.topics.network);
  take(config::Check::Diagnostics, "--diagnostics-topic", options.topics.diagnostics);
  if (explicit_flags.count("--machine") == 0) {
    for (const auto& machine : loaded.config.machines) {
      options.machines.push_back(machine.id);
    }
  }
  return Status::ok();
}

}  // namespace

bool isValidMachineId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string expandTopic(const std::string& pattern, const std::string& machine) {
  std::string topic;
  std::size_t from = 0;
  for (auto at = pattern.find(kPlaceholder); at != std::string::npos;
       at = pattern.find(kPlaceholder, from)) {
    topic.append(pattern, from, at - from);
    topic += machine;
    from = at + kPlaceholder.size();
  }
  topic.append(pattern, from);
  return topic;
}

std::optional<std::string> matchTopic(const std::string& pattern, const std::string& topic) {
  const auto at = pattern.find(kPlaceholder);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const std::string_view prefix(pattern.data(), at);
  const std::string_view suffix(pattern.data() + at + kPlaceholder.size(),
                                pattern.size() - at - kPlaceholder.size());
  const std::string_view text(topic);
  if (text.size() <= prefix.size() + suffix.size() || !text.starts_with(prefix) ||
      !text.ends_with(suffix)) {
    return std::nullopt;
  }
  std::string machine(text.substr(prefix.size(), text.size() - prefix.size() - suffix.size()));
  if (machine.find('/') != std::string::npos) {
    return std::nullopt;
  }
  return machine;
}

core::Result<RenderSimOptions> parseRenderSimOptions(const std::vector<std::string>& args) {
  RenderSimOptions options;
  std::set<std::string> explicit_flags;
  std::optional<std::string> topics_from;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      continue;
    }
    if (!flag.starts_with("--")) {
      return Status::invalidArgument("unexpected argument '" + flag + "' (see --help)");
    }
    static const std::set<std::string> kFlags = {"--broker",
                                                 "--machine",
                                                 "--rate-ms",
                                                 "--mode",
                                                 "--duration-s",
                                                 "--control",
                                                 "--log-level",
                                                 "--topics-from",
                                                 "--status-topic",
                                                 "--engine-topic",
                                                 "--videoio-topic",
                                                 "--network-topic",
                                                 "--diagnostics-topic",
                                                 "--control-topic"};
    if (kFlags.count(flag) == 0) {
      return Status::invalidArgument("unknown flag '" + flag + "' (see --help)");
    }
    if (i + 1 >= args.size()) {
      return Status::invalidArgument(flag + ": needs a value (see --help)");
    }
    const std::string& value = args[++i];
    explicit_flags.insert(flag);
    Status status = Status::ok();
    if (flag == "--broker") {
      status = parseBroker(value, options);
    } else if (flag == "--machine") {
      status = addMachines(value, options.machines);
    } else if (flag == "--rate-ms") {
      const auto rate = parseInt(value, kMinRateMs, kMaxRateMs);
      status = rate ? Status::ok() : badValue(flag, value, "milliseconds 10-60000");
      options.rate_ms = rate.value_or(options.rate_ms);
    } else if (flag == "--mode") {
      status = (value == "live" || value == "edit") ? Status::ok()
                                                    : badValue(flag, value, "live or edit");
      options.mode = value;
    } else if (flag == "--duration-s") {
      options.duration_s = parseInt(value, 1, kMaxDurationS);
      status = options.duration_s ? Status::ok() : badValue(flag, value, "seconds 1-604800");
    } else if (flag == "--control") {
      if (value == "stdin") {
        options.control = ControlMode::Stdin;
      } else if (value == "none") {
        options.control = ControlMode::None;
      } else {
        status = badValue(flag, value, "stdin or none");
      }
    } else if (flag == "--log-level") {
      static const std::set<std::string> kLevels = {"trace", "debug", "info",
                                                    "warn",  "error", "off"};
      status = kLevels.count(value) ? Status::ok()
                                    : badValue(flag, value, "trace|debug|info|warn|error|off");
      options.log_level = value;
    } else if (flag == "--topics-from") {
      topics_from = value;
    } else if (flag == "--status-topic") {
      options.topics.status = value;
      status = checkPattern(flag, value, false);
    } else if (flag == "--engine-topic") {
      options.topics.engine = value;
      status = checkPattern(flag, value, false);
    } else if (flag == "--videoio-topic") {
      options.topics.videoio = value;
      status = checkPattern(flag, value, false);
    } else if (flag == "--network-topic") {
      options.topics.network = value;
      status = checkPattern(flag, value, false);
    } else if (flag == "--diagnostics-topic") {
      options.topics.diagnostics = value;
      status = checkPattern(flag, value, false);
    } else if (flag == "--control-topic") {
      options.topics.control = value;
      status = checkPattern(flag, value, true);
    } else {
      return Status::invalidArgument("unknown flag '" + flag + "' (see --help)");
    }
    if (!status.isOk()) {
      return status;
    }
  }
  if (options.help) {
    return options;
  }
  if (topics_from) {
    if (auto status = readNodeConfig(*topics_from, options, explicit_flags); !status.isOk()) {
      return status;
    }
    // A file's patterns get the same checks as the flags.
    for (const auto& [flag, pattern] : {std::pair{"status", &options.topics.status},
                                        {"engine", &options.topics.engine},
                                        {"videoio", &options.topics.videoio},
                                        {"network", &options.topics.network},
                                        {"diagnostics", &options.topics.diagnostics}}) {
      if (auto status =
              checkPattern(std::string("--topics-from health.topics.") + flag, *pattern, false);
          !status.isOk()) {
        return status;
      }
    }
  }
  if (options.machines.empty()) {
    return Status::invalidArgument("--machine: at least one machine is needed (see --help)");
  }
  return options;
}

std::string usageText() {
  return R"(render-sim: simulated render machines and diagnostics service on MQTT

usage: render-sim --machine ID [--machine ID ...] [options]

  --broker URI            tcp://HOST:PORT or mqtt://HOST:PORT (default tcp://127.0.0.1:1883)
  --machine ID[,ID...]    a machine to simulate; repeatable; ids are [a-z0-9_-]+
  --rate-ms N             publish period of engine, videoio, network, health (default 100)
  --mode live|edit        initial engine mode (default live)
  --topics-from FILE      take health topic patterns (and machines, if no --machine) from a
                          failover-node configuration file
  --status-topic P        default render/{machine}/status (retained online/offline, LWT)
  --engine-topic P        default render/{machine}/engine
  --videoio-topic P       default render/{machine}/videoio
  --network-topic P       default render/{machine}/network
  --diagnostics-topic P   default diagnostics/{machine}/health
  --control-topic P       default render-sim/{machine}/fault (commands; answers on P/reply)
  --duration-s N          stop cleanly after N seconds
  --control stdin|none    read commands from stdin (default) or not at all
  --log-level L           trace|debug|info|warn|error|off (default warn), to stderr
  --help                  this text

commands (stdin, one per line, answered "ok" or "error ..."; or as MQTT payloads):
  fail engine|videoio|network|diagnostics M     warn CHECK M     hang CHECK M
  drop M     critical M [PARAM] [VALUE]     mode M live|edit
  recover M     recover CHECK M     status     help     quit
  M may be "all". "ready" is printed once every machine is connected and has published.
)";
}

}  // namespace failover::render_sim
