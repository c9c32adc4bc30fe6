#include "yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <span>
#include <utility>

#include "failover/config/loader.h"
#include "failover/core/host_port.h"
#include "nearest_name.h"

namespace failover::config {
namespace {

using Handler = std::function<void(const YAML::Node& value, const std::string& path, Position at)>;

struct Key {
  const char* name;
  Handler handle;
  bool required = false;
};

// A rule reads any check but the agent's status topic (online/offline, no fields).
constexpr std::span<const core::EnumName<Check>> kRuleSourceNames =
    std::span(kCheckNames).subspan<1>();
static_assert(kCheckNames[0].value == Check::Status);

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string indexed(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Position positionOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0 || mark.column < 0) {
    return {};
  }
  return {mark.line + 1, mark.column + 1};
}

const char* kindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a single value";
  }
}

std::string where(Position at) {
  return "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
}

// Quoted scalars carry the non-specific tag "!"; plain ones "?". A quoted "95" is text.
bool isQuoted(const YAML::Node& node) {
  return node.Tag() == "!";
}

std::optional<int64_t> parseInteger(const std::string& text) {
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') {
    ++begin;
  }
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || begin == end) {
    return std::nullopt;
  }
  return value;
}

// Digits that parseInteger refused only because they do not fit 64 bits.
bool isLongInteger(const std::string& text) {
  std::size_t start = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  return text.size() > start &&
         std::all_of(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<double> parseNumber(const std::string& text) {
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') {
    ++begin;
  }
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || begin == end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parseBool(const std::string& text) {
  static const std::pair<const char*, bool> kWords[] = {
      {"true", true},   {"True", true},   {"TRUE", true},   {"yes", true}, {"on", true},
      {"false", false}, {"False", false}, {"FALSE", false}, {"no", false}, {"off", false},
  };
  for (const auto& [word, value] : kWords) {
    if (text == word) {
      return value;
    }
  }
  return std::nullopt;
}

std::string quoted(const std::string& text) {
  // Keep messages one line and short, whatever the input holds.
  constexpr std::size_t kMaxShown = 60;
  std::string shown;
  for (const char c : text.substr(0, kMaxShown)) {
    shown += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return "'" + shown + (text.size() > kMaxShown ? "...'" : "'");
}

class Reader {
 public:
  explicit Reader(ReadResult& out) : out_(out) {}

  void readRoot(const YAML::Node& root);

 private:
  void error(const std::string& path, Position at, std::string message) {
    out_.source.reported.insert(path);
    if (out_.errors.size() >= kErrorLimit) {
      return;  // the loader shows only the first kMaxReportedErrors anyway
    }
    out_.errors.push_back(
        {DiagnosticSeverity::Error, out_.source.file, at, path, std::move(message)});
  }

  void wrongType(const std::string& path, Position at, const char* expected,
                 const YAML::Node& node) {
    std::string got = kindOf(node);
    if (node.IsScalar()) {
      got = quoted(node.Scalar());
    }
    error(path, at, std::string("expected ") + expected + ", got " + got);
  }

  // Reads a mapping with the given keys. A null node counts as an empty mapping.
  void readMap(const YAML::Node& node, const std::string& path, Position at,
               const std::vector<Key>& keys);

  // Reads a mapping of id -> entry, calling `entry` for each in file order.
  void readIdMap(
      const YAML::Node& node, const std::string& path, Position at,
      const std::function<void(const std::string& id, const YAML::Node& value,
                               const std::string& entry_path, Position entry_at)>& entry);

  // Reads a list, calling `item` for each element with its path and position.
  void readList(const YAML::Node& node, const std::string& path, Position at,
                const std::function<void(const YAML::Node& item, const std::string& item_path,
                                         Position item_at)>& item);

  bool readString(const YAML::Node& node, const std::string& path, Position at, std::string& out) {
    if (!node.IsScalar()) {
      wrongType(path, at, "a string", node);
      return false;
    }
    out = node.Scalar();
    return true;
  }

  bool readBool(const YAML::Node& node, const std::string& path, Position at, bool& out) {
    const auto value = node.IsScalar() ? parseBool(node.Scalar()) : std::nullopt;
    if (!value) {
      wrongType(path, at, "true or false", node);
      return false;
    }
    out = *value;
    return true;
  }

  template <typename Int>
  bool readInteger(const YAML::Node& node, const std::string& path, Position at, Int& out) {
    // A quoted number ("5000") is accepted: people quote values out of habit, and for an
    // integer setting it cannot mean anything else.
    const auto value = node.IsScalar() ? parseInteger(node.Scalar()) : std::nullopt;
    if (!value) {
      if (node.IsScalar() && isLongInteger(node.Scalar())) {
        error(path, at, "number " + quoted(node.Scalar()) + " is out of range");
      } else {
        wrongType(path, at, "a whole number", node);
      }
      return false;
    }
    if (*value < std::numeric_limits<Int>::min() || *value > std::numeric_limits<Int>::max()) {
      error(path, at, "number " + quoted(node.Scalar()) + " is out of range");
      return false;
    }
    out = static_cast<Int>(*value);
    return true;
  }

  // One of `names` (a name table of config.h, or part of one).
  template <typename Enum>
  bool readEnum(const YAML::Node& node, const std::string& path, Position at,
                std::span<const core::EnumName<Enum>> names, const char* what, Enum& out) {
    std::vector<std::string> candidates;
    for (const auto& [value, name] : names) {
      if (node.IsScalar() && node.Scalar() == name) {
        out = value;
        return true;
      }
      candidates.emplace_back(name);
    }
    if (!node.IsScalar()) {
      wrongType(path, at, what, node);
      return false;
    }
    error(path, at,
          "unknown " + std::string(what) + " " + quoted(node.Scalar()) +
              suggestion(node.Scalar(), candidates));
    return false;
  }

  void readMqtt(const YAML::Node& node, const std::string& path, Position at);
  void readServers(const YAML::Node& node, const std::string& path, Position at);
  void readCluster(const YAML::Node& node, const std::string& path, Position at);
  void readTls(const YAML::Node& node, const std::string& path, Position at);
  void readHealth(const YAML::Node& node, const std::string& path, Position at);
  void readRouter(const std::string& id, const YAML::Node& node, const std::string& path,
                  Position at);
  void readMachine(const std::string& id, const YAML::Node& node, const std::string& path,
                   Position at);
  void readPair(const std::string& id, const YAML::Node& node, const std::string& path,
                Position at);
  void readRule(const YAML::Node& node, const std::string& path, Position at);
  // `{signal: value, ...}`: machine inputs or pair outputs per signal, in file order.
  void readSignalMap(
      const YAML::Node& node, const std::string& path, Position at,
      const std::function<void(const std::string& signal, const YAML::Node& value,
                               const std::string& signal_path, Position signal_at)>& entry);
  void readOutputs(const YAML::Node& node, const std::string& path, Position at,
                   std::vector<int>& outputs);
  void readRuleValue(const YAML::Node& node, const std::string& path, Position at, RuleValue& out);
  void readAddress(const YAML::Node& node, const std::string& path, Position at,
                   RouterSettings& router);

  // Handlers that store a scalar into a field.
  Handler string(std::string& out) {
    return [this, &out](const YAML::Node& n, const std::string& p, Position a) {
      readString(n, p, a, out);
    };
  }
  Handler boolean(bool& out) {
    return [this, &out](const YAML::Node& n, const std::string& p, Position a) {
      readBool(n, p, a, out);
    };
  }
  template <typename Int>
  Handler integer(Int& out) {
    return [this, &out](const YAML::Node& n, const std::string& p, Position a) {
      readInteger(n, p, a, out);
    };
  }

  static constexpr std::size_t kErrorLimit = 10 * kMaxReportedErrors;
  ReadResult& out_;
};

void Reader::readMap(const YAML::Node& node, const std::string& path, Position at,
                     const std::vector<Key>& keys) {
  std::vector<bool> seen(keys.size(), false);
  if (!node.IsNull()) {
    if (!node.IsMap()) {
      wrongType(path, at, "a mapping of keys", node);
      return;
    }
    std::map<std::string, Position> first_seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // The iterator hands out a temporary pair: keep copies (cheap handles), not references.
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      const Position key_at = positionOf(key_node);
      if (!key_node.IsScalar()) {
        error(path, key_at, "a key must be a plain name, not " + std::string(kindOf(key_node)));
        continue;
      }
      const std::string& name = key_node.Scalar();
      const std::string key_path = join(path, name);
      if (const auto previous = first_seen.find(name); previous != first_seen.end()) {
        error(key_path, key_at, "duplicate key (first at " + where(previous->second) + ")");
        continue;
      }
      first_seen.emplace(name, key_at);
      std::size_t index = 0;
      while (index < keys.size() && name != keys[index].name) {
        ++index;
      }
      if (index == keys.size()) {
        std::vector<std::string> names;
        for (const auto& key : keys) {
          names.emplace_back(key.name);
        }
        error(key_path, key_at, "unknown key " + quoted(name) + suggestion(name, names));
        continue;
      }
      seen[index] = true;
      out_.source.positions[key_path] = key_at;
      if (value.IsNull()) {
        // `key:` with nothing after it keeps the default; for a required key it is missing.
        seen[index] = false;
        continue;
      }
      keys[index].handle(value, key_path, key_at);
    }
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].required && !seen[i]) {
      const std::string key_path = join(path, keys[i].name);
      const auto recorded = out_.source.positions.find(key_path);
      error(key_path, recorded != out_.source.positions.end() ? recorded->second : at,
            recorded != out_.source.positions.end()
                ? "required value is empty"
                : "missing required key '" + std::string(keys[i].name) + "'");
    }
  }
}

void Reader::readIdMap(const YAML::Node& node, const std::string& path, Position at,
                       const std::function<void(const std::string&, const YAML::Node&,
                                                const std::string&, Position)>& entry) {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    wrongType(path, at, "a mapping of id: settings", node);
    return;
  }
  std::map<std::string, Position> first_seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    const Position key_at = positionOf(key_node);
    if (!key_node.IsScalar()) {
      error(path, key_at, "an id must be a plain name, not " + std::string(kindOf(key_node)));
      continue;
    }
    const std::string id = key_node.Scalar();
    const std::string entry_path = join(path, id);
    if (const auto previous = first_seen.find(id); previous != first_seen.end()) {
      error(entry_path, key_at, "duplicate id (first at " + where(previous->second) + ")");
      continue;
    }
    first_seen.emplace(id, key_at);
    out_.source.positions[entry_path] = key_at;
    entry(id, value, entry_path, key_at);
  }
}

void Reader::readList(
    const YAML::Node& node, const std::string& path, Position at,
    const std::function<void(const YAML::Node&, const std::string&, Position)>& item) {
  if (!node.IsSequence()) {
    wrongType(path, at, "a list", node);
    return;
  }
  std::size_t index = 0;
  for (auto it = node.begin(); it != node.end(); ++it, ++index) {
    const std::string item_path = indexed(path, index);
    const YAML::Node element = *it;
    const Position item_at = positionOf(element);
    out_.source.positions[item_path] = item_at;
    item(element, item_path, item_at);
  }
}

void Reader::readRoot(const YAML::Node& root) {
  Config& config = out_.config;
  if (!root.IsMap()) {
    error("", positionOf(root),
          root.IsNull() ? "the file holds no settings"
                        : "expected a mapping of settings at the top level, got " +
                              std::string(kindOf(root)));
    return;
  }
  readMap(root, "", {1, 1},
          {
              {"node_id", string(config.node_id)},
              {"cluster",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readCluster(n, p, a);
               }},
              {"mqtt",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readMqtt(n, p, a);
               }},
              {"homeassistant",
               [this, &config](const YAML::Node& n, const std::string& p, Position a) {
                 readMap(n, p, a,
                         {{"enabled", boolean(config.homeassistant.enabled)},
                          {"discovery_prefix", string(config.homeassistant.discovery_prefix)}});
               }},
              {"state_file", string(config.state_file)},
              {"audit_log", string(config.audit_log)},
              {"audit_log_max_mb", integer(config.audit_log_max_mb)},
              {"audit_log_keep", integer(config.audit_log_keep)},
              {"health",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readHealth(n, p, a);
               }},
              {"routers",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readIdMap(n, p, a,
                           [this](const std::string& id, const YAML::Node& v, const std::string& ep,
                                  Position ea) { readRouter(id, v, ep, ea); });
               }},
              {"machines",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readIdMap(n, p, a,
                           [this](const std::string& id, const YAML::Node& v, const std::string& ep,
                                  Position ea) { readMachine(id, v, ep, ea); });
               }},
              {"pairs",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readIdMap(n, p, a,
                           [this](const std::string& id, const YAML::Node& v, const std::string& ep,
                                  Position ea) { readPair(id, v, ep, ea); });
               }},
              {"rules",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readList(n, p, a,
                          [this](const YAML::Node& item, const std::string& ip, Position ia) {
                            readRule(item, ip, ia);
                          });
               }},
          });
}

void Reader::readMqtt(const YAML::Node& node, const std::string& path, Position at) {
  MqttSettings& mqtt = out_.config.mqtt;
  readMap(node, path, at,
          {
              {"server", string(mqtt.server)},
              {"servers",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readServers(n, p, a);
               }},
              {"base_topic", string(mqtt.base_topic)},
              {"client_id", string(mqtt.client_id)},
              {"version",
               [this, &mqtt](const YAML::Node& n, const std::string& p, Position a) {
                 // "3" is MQTT 3.1.1 (there is no 3.1 support); "3.1.1" is accepted too.
                 const std::string text = n.IsScalar() ? n.Scalar() : "";
                 if (text == "5") {
                   mqtt.version = MqttVersion::V5;
                 } else if (text == "3" || text == "3.1.1") {
                   mqtt.version = MqttVersion::V311;
                 } else if (n.IsScalar()) {
                   error(p, a,
                         "unknown MQTT version " + quoted(text) + " (expected 5, or 3 for 3.1.1)");
                 } else {
                   wrongType(p, a, "5 or 3", n);
                 }
               }},
              {"keepalive_s", integer(mqtt.keepalive_s)},
              {"username", string(mqtt.username)},
              {"password_file", string(mqtt.password_file)},
              {"tls",
               [this](const YAML::Node& n, const std::string& p, Position a) {
                 readTls(n, p, a);
               }},
              {"response_topic_prefixes",
               [this, &mqtt](const YAML::Node& n, const std::string& p, Position a) {
                 readList(
                     n, p, a,
                     [this, &mqtt](const YAML::Node& item, const std::string& ip, Position ia) {
                       std::string prefix;
                       if (readString(item, ip, ia, prefix)) {
                         mqtt.response_topic_prefixes.push_back(prefix);
                       }
                     });
               }},
          });
}

void Reader::readServers(const YAML::Node& node, const std::string& path, Position at) {
  readList(node, path, at, [this](const YAML::Node& item, const std::string& ip, Position ia) {
    // A bad item stays empty, so indices (and positions) match the file.
    std::string uri;
    readString(item, ip, ia, uri);
    out_.config.mqtt.servers.push_back(uri);
  });
}

void Reader::readCluster(const YAML::Node& node, const std::string& path, Position at) {
  ClusterSettings& cluster = out_.config.cluster.emplace();
  readMap(node, path, at,
          {
              {"id", string(cluster.id), true},
              {"rank", integer(cluster.rank), true},
              {"heartbeat_ms", integer(cluster.heartbeat_ms)},
              {"takeover_after_ms", integer(cluster.takeover_after_ms)},
          });
}

void Reader::readTls(const YAML::Node& node, const std::string& path, Position at) {
  TlsSettings& tls = out_.config.mqtt.tls.emplace();
  readMap(node, path, at,
          {
              {"ca_file", string(tls.ca_file)},
              {"cert_file", string(tls.cert_file)},
              {"key_file", string(tls.key_file)},
              {"verify", boolean(tls.verify)},
          });
}

void Reader::readHealth(const YAML::Node& node, const std::string& path, Position at) {
  HealthSettings& health = out_.config.health;
  readMap(node, path, at,
          {
              {"topics",
               [this, &health](const YAML::Node& n, const std::string& p, Position a) {
                 auto& topics = health.topics;
                 std::vector<Key> keys;
                 for (const auto& [check, name] : kCheckNames) {
                   keys.push_back({name, string(topics[check])});
                 }
                 readMap(n, p, a, keys);
               }},
              {"stale_after_ms", integer(health.stale_after_ms)},
              {"startup_grace_ms", integer(health.startup_grace_ms)},
              {"reconnect_grace_ms", integer(health.reconnect_grace_ms)},
              {"diagnostics_stale_after_ms", integer(health.diagnostics_stale_after_ms)},
              {"confirm_fail_ms", integer(health.confirm_fail_ms)},
              {"offline_confirm_ms", integer(health.offline_confirm_ms)},
          });
}

void Reader::readAddress(const YAML::Node& node, const std::string& path, Position at,
                         RouterSettings& router) {
  std::string address;
  if (!readString(node, path, at, address)) {
    return;
  }
  // HOST, HOST:PORT, [IPv6], [IPv6]:PORT; the port defaults to RouterSettings::port.
  const auto parsed = core::parseHostPort(address);
  switch (parsed.error) {
    case core::AddressError::None:
      router.host = parsed.address.host;
      router.port = parsed.address.port.value_or(router.port);
      return;
    case core::AddressError::UnclosedBracket:
      error(path, at, "invalid address " + quoted(address) + ": missing ']'");
      return;
    case core::AddressError::TextAfterBracket:
      error(path, at, "invalid address " + quoted(address) + ": expected HOST:PORT");
      return;
    case core::AddressError::UnbracketedIpv6:
      error(path, at,
            "invalid address " + quoted(address) + ": write an IPv6 address as [ADDR]:PORT");
      return;
    case core::AddressError::MissingPort:
    case core::AddressError::BadPort:
    case core::AddressError::PortOutOfRange:
      error(path, at, "invalid port in " + quoted(address) + ": expected 1..65535");
      return;
    case core::AddressError::Empty:
    case core::AddressError::MissingHost:
    case core::AddressError::BadHost:
    case core::AddressError::UnknownScheme:
      break;
  }
  error(path, at,
        "invalid address " + quoted(address) + ": expected HOST:PORT, e.g. 10.0.0.5:9990");
}

void Reader::readRouter(const std::string& id, const YAML::Node& node, const std::string& path,
                        Position at) {
  RouterSettings& router = out_.config.routers.emplace_back();
  router.id = id;
  readMap(node, path, at,
          {
              {"address",
               [this, &router](const YAML::Node& n, const std::string& p, Position a) {
                 readAddress(n, p, a, router);
               },
               true},
              {"enabled", boolean(router.enabled)},
              {"force_unlock", boolean(router.force_unlock)},
              {"write_labels", boolean(router.write_labels)},
              {"bind_address", string(router.bind_address)},
              {"lock_outputs", boolean(router.lock_outputs)},
          });
}

void Reader::readMachine(const std::string& id, const YAML::Node& node, const std::string& path,
                         Position at) {
  MachineSettings& machine = out_.config.machines.emplace_back();
  machine.id = id;
  readMap(node, path, at,
          {
              {"label", string(machine.label)},
              {"input", integer(machine.input)},
              {"inputs",
               [this, &machine](const YAML::Node& n, const std::string& p, Position a) {
                 readSignalMap(n, p, a,
                               [this, &machine](const std::string& signal, const YAML::Node& v,
                                                const std::string& sp, Position sa) {
                                 SignalInput& entry = machine.inputs.emplace_back();
                                 entry.signal = signal;
                                 readInteger(v, sp, sa, entry.input);
                               });
               }},
              {"features",
               [this, &machine](const YAML::Node& n, const std::string& p, Position a) {
                 readList(
                     n, p, a,
                     [this, &machine](const YAML::Node& item, const std::string& ip, Position ia) {
                       std::string feature;
                       if (readString(item, ip, ia, feature)) {
                         machine.features.push_back(feature);
                       }
                     });
               }},
          });
  if (machine.label.empty()) {
    machine.label = id;
  }
  // Exactly one of the two forms. A form that was given but wrong is reported already.
  const bool has_input = out_.source.positions.count(join(path, "input")) != 0;
  const bool has_inputs = out_.source.positions.count(join(path, "inputs")) != 0;
  if (has_input && has_inputs) {
    error(join(path, "inputs"), out_.source.positions[join(path, "inputs")],
          "give either 'input' (one program signal) or 'inputs' (signal: input), not both");
  } else if (!has_input && !has_inputs && !out_.source.wasReported(path)) {
    error(join(path, "input"), at,
          "missing required key 'input' (or 'inputs' for a machine with several signals)");
  }
}

void Reader::readSignalMap(const YAML::Node& node, const std::string& path, Position at,
                           const std::function<void(const std::string&, const YAML::Node&,
                                                    const std::string&, Position)>& entry) {
  if (!node.IsMap()) {
    wrongType(path, at, "a mapping of signal: value (e.g. { fill: 11, key: 12 })", node);
    return;
  }
  readIdMap(node, path, at, entry);
}

void Reader::readOutputs(const YAML::Node& node, const std::string& path, Position at,
                         std::vector<int>& outputs) {
  readList(node, path, at,
           [this, &outputs](const YAML::Node& item, const std::string& ip, Position ia) {
             int output = 0;
             // A bad item stays as 0, so indices (and positions) stay aligned with the file.
             readInteger(item, ip, ia, output);
             outputs.push_back(output);
           });
}

void Reader::readPair(const std::string& id, const YAML::Node& node, const std::string& path,
                      Position at) {
  PairSettings& pair = out_.config.pairs.emplace_back();
  pair.id = id;
  readMap(node, path, at,
          {
              {"router", string(pair.router), true},
              {"main", string(pair.main), true},
              {"backup", string(pair.backup), true},
              {"outputs",
               [this, &pair](const YAML::Node& n, const std::string& p, Position a) {
                 if (n.IsMap()) {
                   readSignalMap(n, p, a,
                                 [this, &pair](const std::string& signal, const YAML::Node& v,
                                               const std::string& sp, Position sa) {
                                   SignalOutputs& entry = pair.signal_outputs.emplace_back();
                                   entry.signal = signal;
                                   readOutputs(v, sp, sa, entry.outputs);
                                   pair.outputs.insert(pair.outputs.end(), entry.outputs.begin(),
                                                       entry.outputs.end());
                                 });
                 } else if (n.IsSequence()) {
                   readOutputs(n, p, a, pair.outputs);
                 } else {
                   wrongType(p, a, "a list of outputs or a mapping of signal: [outputs]", n);
                 }
               },
               true},
              {"mode",
               [this, &pair](const YAML::Node& n, const std::string& p, Position a) {
                 readEnum<FailoverMode>(n, p, a, kFailoverModeNames, "mode", pair.mode);
               }},
              {"armed", boolean(pair.armed)},
              {"require_live", boolean(pair.require_live)},
              {"triggers",
               [this, &pair](const YAML::Node& n, const std::string& p, Position a) {
                 pair.triggers.clear();
                 readList(
                     n, p, a,
                     [this, &pair](const YAML::Node& item, const std::string& ip, Position ia) {
                       Trigger trigger = Trigger::Engine;
                       if (readEnum<Trigger>(item, ip, ia, kTriggerNames, "trigger", trigger)) {
                         pair.triggers.push_back(trigger);
                       }
                     });
               }},
              {"failback",
               [this, &pair](const YAML::Node& n, const std::string& p, Position a) {
                 readEnum<FailbackMode>(n, p, a, kFailbackModeNames, "failback", pair.failback);
               }},
              {"failback_after_ms", integer(pair.failback_after_ms)},
              {"min_dwell_ms", integer(pair.min_dwell_ms)},
          });
  // An empty `outputs: []` is reported by validation; a missing one here.
}

void Reader::readRuleValue(const YAML::Node& node, const std::string& path, Position at,
                           RuleValue& out) {
  if (!node.IsScalar()) {
    wrongType(path, at, "a number, a string, true or false", node);
    return;
  }
  const std::string& text = node.Scalar();
  if (!isQuoted(node)) {
    if (const auto number = parseNumber(text)) {
      out.number = number;
      return;
    }
    if (text == "true" || text == "false") {
      out.boolean = text == "true";
      return;
    }
  }
  out.text = text;
}

void Reader::readRule(const YAML::Node& node, const std::string& path, Position at) {
  RuleSettings& rule = out_.config.rules.emplace_back();
  readMap(node, path, at,
          {
              {"name", string(rule.name), true},
              {"source",
               [this, &rule](const YAML::Node& n, const std::string& p, Position a) {
                 readEnum<Check>(n, p, a, kRuleSourceNames, "source", rule.source);
               },
               true},
              {"when",
               [this, &rule](const YAML::Node& n, const std::string& p, Position a) {
                 readMap(
                     n, p, a,
                     {
                         {"field", string(rule.field), true},
                         {"op",
                          [this, &rule](const YAML::Node& on, const std::string& op, Position oa) {
                            readEnum<Operator>(on, op, oa, kOperatorNames, "operator", rule.op);
                          },
                          true},
                         {"value",
                          [this, &rule](const YAML::Node& vn, const std::string& vp, Position va) {
                            readRuleValue(vn, vp, va, rule.value);
                          },
                          true},
                     });
               },
               true},
              {"for_ms", integer(rule.for_ms)},
              {"severity",
               [this, &rule](const YAML::Node& n, const std::string& p, Position a) {
                 readEnum<Severity>(n, p, a, kSeverityNames, "severity", rule.severity);
               }},
          });
}

}  // namespace

ReadResult readConfig(const YAML::Node& root, const std::string& file) {
  ReadResult result;
  result.source.file = file;
  Reader(result).readRoot(root);
  MqttSettings& mqtt = result.config.mqtt;
  const auto& positions = result.source.positions;
  if (positions.count("mqtt.servers") != 0 && positions.count("mqtt.server") != 0) {
    const std::string path = "mqtt.servers";
    result.source.reported.insert(path);
    result.errors.push_back({DiagnosticSeverity::Error, file, positions.at(path), path,
                             "give either 'server' or 'servers' (a list), not both"});
  } else if (!mqtt.servers.empty()) {
    // Everything that names "the" broker (logs, the summary) names the first one.
    mqtt.server = mqtt.servers.front();
  }
  if (result.config.mqtt.client_id.empty() &&
      result.source.positions.count("mqtt.client_id") == 0) {
    result.config.mqtt.client_id = "failover-" + result.config.node_id;
    result.config.mqtt.client_id_defaulted = true;
  }
  return result;
}

}  // namespace failover::config
