#include "failover/config/validate.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "failover/cluster/election.h"
#include "failover/core/host_port.h"
#include "nearest_name.h"

namespace failover::config {

Position SourceMap::find(const std::string& path) const {
  std::string current = path;
  while (!current.empty()) {
    if (const auto found = positions.find(current); found != positions.end()) {
      return found->second;
    }
    const auto cut = current.find_last_of(".[");
    if (cut == std::string::npos) {
      break;
    }
    current.resize(cut);
  }
  return {};
}

bool SourceMap::wasReported(const std::string& path) const {
  if (reported.empty()) {
    return false;
  }
  std::string current = path;
  while (!current.empty()) {
    if (reported.count(current) != 0) {
      return true;
    }
    const auto cut = current.find_last_of(".[");
    if (cut == std::string::npos) {
      break;
    }
    current.resize(cut);
  }
  return false;
}

bool isValidId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

namespace {

// An IPv4 dotted quad or an IPv6 address, without brackets, port or zone.
bool isIpLiteral(const std::string& text) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, text.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

std::string indexed(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string listOf(const std::vector<std::string>& items) {
  constexpr std::size_t kMaxListed = 20;
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < kMaxListed; ++i) {
    text += (text.empty() ? "" : ", ") + items[i];
  }
  if (items.size() > kMaxListed) {
    text += ", ...";
  }
  return "[" + text + "]";
}

class Validator {
 public:
  Validator(const Config& config, const SourceMap& source) : config_(config), source_(source) {}

  std::vector<Diagnostic> run() {
    checkTopLevel();
    checkCluster();
    checkRouters();
    checkMachines();
    checkPairs();
    checkSharedInputs();
    checkRules();
    return std::move(diagnostics_);
  }

 private:
  void add(DiagnosticSeverity severity, const std::string& path, std::string message) {
    diagnostics_.push_back({severity, source_.file, source_.find(path), path, std::move(message)});
  }
  void error(const std::string& path, std::string message) {
    add(DiagnosticSeverity::Error, path, std::move(message));
  }
  void warning(const std::string& path, std::string message) {
    add(DiagnosticSeverity::Warning, path, std::move(message));
  }
  bool skip(const std::string& path) const { return source_.wasReported(path); }

  void checkId(const std::string& path, const std::string& id) {
    if (!skip(path) && !isValidId(id)) {
      error(path, "invalid id '" + id +
                      "': use only lower-case letters, digits, '_' and '-' ([a-z0-9_-]+)");
    }
  }

  void checkRange(const std::string& path, int64_t value, int64_t min, int64_t max,
                  const char* unit) {
    if (!skip(path) && (value < min || value > max)) {
      error(path, std::to_string(value) + " is out of range: expected " + std::to_string(min) +
                      ".." + std::to_string(max) + " " + unit);
    }
  }

  // A broker URI of mqtt.server or mqtt.servers.
  void checkServerUri(const std::string& path, const std::string& uri) {
    if (skip(path)) {
      return;
    }
    const auto scheme = core::brokerSchemeOf(uri);
    const auto parsed = core::parseBrokerUri(uri);
    // The schemes this node documents; Paho's mqtt:// and mqtts:// aliases are not among them.
    if (!scheme || (scheme->name != "tcp" && scheme->name != "ssl" && scheme->name != "ws" &&
                    scheme->name != "wss")) {
      error(path, "invalid server URI '" + uri +
                      "': expected tcp://, ssl://, ws:// or wss:// then HOST:PORT");
    } else if (parsed.error == core::AddressError::MissingHost) {
      error(path, "invalid server URI '" + uri + "': the host is missing");
    } else if (!parsed.ok()) {
      error(path, "invalid server URI '" + uri + "': " + core::describe(parsed.error));
    }
  }

  // A topic we publish or subscribe to: not empty, no wildcards.
  void checkTopic(const std::string& path, const std::string& topic, const char* what) {
    if (skip(path)) {
      return;
    }
    if (topic.empty()) {
      error(path, std::string(what) + " must not be empty");
    } else if (topic.find_first_of("+#") != std::string::npos) {
      error(path, std::string(what) + " '" + topic + "' must not contain the wildcards + or #");
    }
  }

  void checkTopLevel() {
    checkId("node_id", config_.node_id);

    const auto& mqtt = config_.mqtt;
    if (mqtt.servers.empty()) {
      checkServerUri("mqtt.server", mqtt.server);
      if (!skip("mqtt.servers") && source_.positions.count("mqtt.servers") != 0) {
        error("mqtt.servers", "servers must list at least one broker URI");
      }
    } else if (!skip("mqtt.servers")) {
      if (mqtt.servers.size() > Bounds::kMaxMqttServers) {
        error("mqtt.servers", std::to_string(mqtt.servers.size()) +
                                  " servers are too many: at most " +
                                  std::to_string(Bounds::kMaxMqttServers));
      }
      std::set<std::string> seen;
      for (std::size_t i = 0; i < mqtt.servers.size(); ++i) {
        const std::string path = indexed("mqtt.servers", i);
        checkServerUri(path, mqtt.servers[i]);
        if (!skip(path) && !seen.insert(mqtt.servers[i]).second) {
          error(path, "server '" + mqtt.servers[i] + "' is listed twice");
        }
      }
    }
    checkTopic("mqtt.base_topic", mqtt.base_topic, "base_topic");
    if (!skip("mqtt.client_id") && source_.positions.count("mqtt.client_id") != 0 &&
        mqtt.client_id.empty()) {
      error("mqtt.client_id", "client_id must not be empty (leave it out for failover-<node_id>)");
    }
    checkRange("mqtt.keepalive_s", mqtt.keepalive_s, Bounds::kMinKeepaliveS, Bounds::kMaxKeepaliveS,
               "s");
    for (std::size_t i = 0; i < mqtt.response_topic_prefixes.size(); ++i) {
      checkTopic(indexed("mqtt.response_topic_prefixes", i), mqtt.response_topic_prefixes[i],
                 "a response topic prefix");
    }
    if (mqtt.tls && !mqtt.tls->cert_file.empty() != !mqtt.tls->key_file.empty()) {
      error("mqtt.tls", "cert_file and key_file go together: set both or neither");
    }
    if (mqtt.tls) {
      for (const std::string& uri :
           mqtt.servers.empty() ? std::vector{mqtt.server} : mqtt.servers) {
        const auto scheme = core::brokerSchemeOf(uri);
        if (scheme && !scheme->tls) {
          warning("mqtt.tls", std::string("tls is set but ") +
                                  (mqtt.servers.empty() ? "mqtt.server " : "MQTT server ") + uri +
                                  " is not encrypted: use ssl:// (or wss://) to connect over TLS");
        }
      }
    }

    checkAuditLog();

    checkTopic("homeassistant.discovery_prefix", config_.homeassistant.discovery_prefix,
               "discovery_prefix");

    const auto& health = config_.health;
    for (const auto& [check, topic] : health.topics) {
      const std::string path = std::string("health.topics.") + toString(check);
      checkTopic(path, topic, "a health topic");
      if (!skip(path) && !topic.empty() && topic.find_first_of("+#") == std::string::npos &&
          topic.find("{machine}") == std::string::npos) {
        error(path, "health topic '" + topic + "' must contain {machine}");
      }
    }
    checkRange("health.stale_after_ms", health.stale_after_ms, Bounds::kMinStaleAfterMs,
               Bounds::kMaxStaleAfterMs, "ms");
    checkRange("health.startup_grace_ms", health.startup_grace_ms, 0, Bounds::kMaxGraceMs, "ms");
    checkRange("health.reconnect_grace_ms", health.reconnect_grace_ms, 0, Bounds::kMaxGraceMs,
               "ms");
    if (health.diagnostics_stale_after_ms != 0) {
      checkRange("health.diagnostics_stale_after_ms", health.diagnostics_stale_after_ms,
                 Bounds::kMinStaleAfterMs, Bounds::kMaxStaleAfterMs, "ms");
    }
    checkRange("health.confirm_fail_ms", health.confirm_fail_ms, 0, Bounds::kMaxStaleAfterMs, "ms");
    checkRange("health.offline_confirm_ms", health.offline_confirm_ms, 0,
               Bounds::kMaxOfflineConfirmMs, "ms");
  }

  void checkAuditLog() {
    const bool has_path = !config_.audit_log.empty();
    if (!skip("audit_log") && has_path && config_.audit_log == config_.state_file) {
      error("audit_log", "audit_log and state_file must be different files");
    }
    checkRange("audit_log_max_mb", config_.audit_log_max_mb, Bounds::kMinAuditLogMaxMb,
               Bounds::kMaxAuditLogMaxMb, "MB");
    checkRange("audit_log_keep", config_.audit_log_keep, Bounds::kMinAuditLogKeep,
               Bounds::kMaxAuditLogKeep, "files");
    for (const char* key : {"audit_log_max_mb", "audit_log_keep"}) {
      if (!has_path && source_.positions.count(key) != 0) {
        warning(key, std::string(key) + " has no effect without audit_log");
      }
    }
  }

  void checkCluster() {
    if (!config_.cluster) {
      return;
    }
    const ClusterSettings& cluster = *config_.cluster;
    checkId("cluster.id", cluster.id);
    if (!skip("cluster.id") && cluster.id == config_.node_id) {
      // C/nodes/<node_id>/... would then sit beside B/... of a node of the same name.
      warning("cluster.id", "cluster id '" + cluster.id +
                                "' is also this node's node_id: give the cluster its own name");
    }
    checkRange("cluster.rank", cluster.rank, 1, Bounds::kMaxClusterRank, "(1 = preferred)");
    checkRange("cluster.heartbeat_ms", cluster.heartbeat_ms, Bounds::kMinHeartbeatMs,
               Bounds::kMaxHeartbeatMs, "ms");
    checkRange("cluster.takeover_after_ms", cluster.takeover_after_ms,
               Bounds::kMinHeartbeatsPerTakeover * Bounds::kMinHeartbeatMs,
               Bounds::kMaxTakeoverAfterMs, "ms");
    const bool in_range =
        cluster.heartbeat_ms >= Bounds::kMinHeartbeatMs &&
        cluster.heartbeat_ms <= Bounds::kMaxHeartbeatMs &&
        cluster.takeover_after_ms <= Bounds::kMaxTakeoverAfterMs &&
        cluster.takeover_after_ms >= Bounds::kMinHeartbeatsPerTakeover * Bounds::kMinHeartbeatMs;
    if (!skip("cluster.takeover_after_ms") && !skip("cluster.heartbeat_ms") && in_range &&
        cluster.takeover_after_ms < Bounds::kMinHeartbeatsPerTakeover * cluster.heartbeat_ms) {
      error("cluster.takeover_after_ms",
            std::to_string(cluster.takeover_after_ms) + " ms is too short for heartbeat_ms " +
                std::to_string(cluster.heartbeat_ms) + ": it must be at least " +
                std::to_string(Bounds::kMinHeartbeatsPerTakeover) + " heartbeats (" +
                std::to_string(Bounds::kMinHeartbeatsPerTakeover * cluster.heartbeat_ms) +
                " ms), or one late heartbeat would look like a dead node");
    }
    // The node in charge may route until its lease runs out (docs/redundancy.md). Cut off
    // silently from the broker it hears no machine either: were silence judged sooner than
    // that, it would fail over Mains it merely cannot hear.
    const int64_t lease = cluster::ElectionTiming::from(
                              {config_.node_id, cluster.rank, core::Millis(cluster.heartbeat_ms),
                               core::Millis(cluster.takeover_after_ms), true})
                              .lease.count();
    if (in_range && !skip("health.stale_after_ms") && config_.health.stale_after_ms <= lease) {
      warning("health.stale_after_ms",
              std::to_string(config_.health.stale_after_ms) +
                  " ms is not longer than the cluster's lease of " + std::to_string(lease) +
                  " ms (takeover_after_ms " + std::to_string(cluster.takeover_after_ms) +
                  "): a node in charge cut silently from the broker could fail over machines "
                  "it merely stopped hearing before it stops routing; set it above " +
                  std::to_string(lease) + " ms");
    }
  }

  void checkRouters() {
    std::map<std::string, std::string> seen;
    for (const auto& router : config_.routers) {
      const std::string path = "routers." + router.id;
      checkId(path, router.id);
      if (!seen.emplace(router.id, path).second) {
        error(path, "duplicate router id");
      }
      if (!skip(path + ".address") && router.host.empty()) {
        error(path + ".address", "the host is missing");
      }
      if (!skip(path + ".address") && router.port == 0) {
        error(path + ".address", "port 0 is not a valid port: expected 1..65535");
      }
      if (!router.bind_address.empty() && !skip(path + ".bind_address") &&
          !isIpLiteral(router.bind_address)) {
        error(path + ".bind_address",
              "invalid bind_address '" + router.bind_address +
                  "': expected an IPv4 or IPv6 address of this host, e.g. 10.0.0.11 (no port)");
      }
      router_ids_.push_back(router.id);
      router_set_.insert(router.id);
    }
  }

  bool anyRouterWritesLabels() const {
    return std::any_of(config_.routers.begin(), config_.routers.end(),
                       [](const RouterSettings& router) { return router.write_labels; });
  }

  // With write_labels the label goes onto the router, which takes one line of limited length.
  void checkRouterLabel(const std::string& path, const std::string& label) {
    constexpr std::size_t kRouterLabelBytes = 64;
    if (std::any_of(label.begin(), label.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      warning(path,
              "the label has control characters (line breaks, tabs): the router gets "
              "spaces in their place");
    }
    if (label.size() > kRouterLabelBytes) {
      warning(path, "the label is " + std::to_string(label.size()) +
                        " bytes: the router gets only the first 64");
    }
  }

  void checkMachines() {
    std::map<std::string, bool> seen;
    for (const auto& machine : config_.machines) {
      const std::string path = "machines." + machine.id;
      checkId(path, machine.id);
      if (!seen.emplace(machine.id, true).second) {
        error(path, "duplicate machine id");
      }
      for (const SignalInput& entry : machineInputs(machine)) {
        const std::string input_path = inputPath(machine, entry.signal);
        if (!machine.inputs.empty()) {
          checkSignalName(input_path, entry.signal);
        }
        checkRange(input_path, entry.input, 1, Bounds::kMaxPort, "(1-based router input)");
      }
      if (anyRouterWritesLabels()) {
        checkRouterLabel(path + ".label", machine.label);
      }
      for (std::size_t i = 0; i < machine.features.size(); ++i) {
        if (machine.features[i].empty() && !skip(indexed(path + ".features", i))) {
          error(indexed(path + ".features", i), "a feature name must not be empty");
        }
      }
      machine_ids_.push_back(machine.id);
      machine_index_.emplace(machine.id, &machine);
      machine_set_.insert(machine.id);
    }
  }

  void checkPairs() {
    std::map<std::string, std::string> main_of;  // machine -> the pair it is Main of
    std::map<std::pair<std::string, int>, std::string> output_owner;  // (router, output) -> pair
    std::map<std::string, bool> seen;
    for (const auto& pair : config_.pairs) {
      const std::string path = "pairs." + pair.id;
      checkId(path, pair.id);
      if (!seen.emplace(pair.id, true).second) {
        error(path, "duplicate pair id");
      }
      const bool router_known = checkReference(path + ".router", pair.router, router_set_,
                                               router_ids_, "router", "routers");
      const bool main_known = checkReference(path + ".main", pair.main, machine_set_, machine_ids_,
                                             "machine", "machines");
      const bool backup_known = checkReference(path + ".backup", pair.backup, machine_set_,
                                               machine_ids_, "machine", "machines");

      if (main_known && backup_known && pair.main == pair.backup) {
        error(path + ".backup",
              "the Backup must be another machine than the Main ('" + pair.main + "')");
      }
      if (main_known && !skip(path + ".main")) {
        const auto [owner, inserted] = main_of.emplace(pair.main, pair.id);
        if (!inserted) {
          error(path + ".main", "machine '" + pair.main + "' is already the Main of pair '" +
                                    owner->second + "'; a machine can be Main in one pair only");
        }
      }

      checkOutputs(pair, path, router_known, output_owner);
      if (main_known && backup_known) {
        checkSignalsOnMachines(pair, path);
      }
      checkRange(path + ".failback_after_ms", pair.failback_after_ms, 0,
                 Bounds::kMaxFailbackAfterMs, "ms");
      checkRange(path + ".min_dwell_ms", pair.min_dwell_ms, 0, Bounds::kMaxMinDwellMs, "ms");

      if (main_known && backup_known && pair.main != pair.backup) {
        checkFeatures(pair, path);
      }
    }
    // A machine on air as one pair's Main that is another pair's Backup would put that
    // program on the second pair's outputs too.
    for (const auto& pair : config_.pairs) {
      const auto owner = main_of.find(pair.backup);
      if (owner != main_of.end() && owner->second != pair.id && pair.main != pair.backup) {
        warning("pairs." + pair.id + ".backup",
                "machine '" + pair.backup + "' is also the Main of pair '" + owner->second +
                    "'; a failover here would show that pair's program on these outputs");
      }
    }
  }

  // Reports an unknown id with the nearest known one; true when `id` is known.
  bool checkReference(const std::string& path, const std::string& id,
                      const std::unordered_set<std::string>& known,
                      const std::vector<std::string>& in_order, const char* what,
                      const char* plural) {
    if (skip(path)) {
      return false;
    }
    if (known.count(id) != 0) {
      return true;
    }
    std::string message = std::string("unknown ") + what + " '" + id + "'";
    if (in_order.empty()) {
      message += std::string(" (no ") + plural + " are defined)";
    } else if (!full()) {
      // A suggestion costs an edit distance per candidate; past the reported errors nobody
      // reads it.
      message += suggestion(id, in_order, plural);
    }
    error(path, message);
    return false;
  }

  void checkOutputs(const PairSettings& pair, const std::string& path, bool router_known,
                    std::map<std::pair<std::string, int>, std::string>& output_owner) {
    const std::string outputs_path = path + ".outputs";
    if (skip(outputs_path)) {
      return;
    }
    if (pair.outputs.empty()) {
      error(outputs_path, "a pair needs at least one output");
      return;
    }
    // Each output with its path in the file, whichever form the file used.
    std::vector<std::pair<std::string, int>> items;
    if (pair.signal_outputs.empty()) {
      for (std::size_t i = 0; i < pair.outputs.size(); ++i) {
        items.emplace_back(indexed(outputs_path, i), pair.outputs[i]);
      }
    } else {
      for (const SignalOutputs& signal : pair.signal_outputs) {
        const std::string signal_path = outputs_path + "." + signal.signal;
        checkSignalName(signal_path, signal.signal);
        if (signal.outputs.empty() && !skip(signal_path)) {
          error(signal_path, "signal '" + signal.signal + "' needs at least one output");
        }
        for (std::size_t i = 0; i < signal.outputs.size(); ++i) {
          items.emplace_back(indexed(signal_path, i), signal.outputs[i]);
        }
      }
    }
    std::set<int> listed;
    for (const auto& [item, output] : items) {
      if (skip(item)) {
        continue;
      }
      if (output < 1 || output > Bounds::kMaxPort) {
        error(item, "output " + std::to_string(output) + " is out of range: expected 1.." +
                        std::to_string(Bounds::kMaxPort) + " (1-based router output)");
        continue;
      }
      if (!listed.insert(output).second) {
        error(item, "output " + std::to_string(output) + " is listed twice");
        continue;
      }
      if (!router_known) {
        continue;
      }
      const auto [owner, inserted] = output_owner.emplace(std::pair(pair.router, output), pair.id);
      if (!inserted) {
        error(item, "output " + std::to_string(output) + " of router '" + pair.router +
                        "' is already switched by pair '" + owner->second + "'");
      }
    }
  }

  void checkFeatures(const PairSettings& pair, const std::string& path) {
    const auto main_entry = machine_index_.find(pair.main);
    const auto backup_entry = machine_index_.find(pair.backup);
    if (main_entry == machine_index_.end() || backup_entry == machine_index_.end()) {
      return;
    }
    const MachineSettings* main = main_entry->second;
    const MachineSettings* backup = backup_entry->second;
    const std::set<std::string> main_features(main->features.begin(), main->features.end());
    const std::set<std::string> backup_features(backup->features.begin(), backup->features.end());
    std::vector<std::string> missing;  // the Main has them, the Backup does not
    std::vector<std::string> extra;
    for (const auto& feature : main->features) {
      if (backup_features.count(feature) == 0) {
        missing.push_back(feature);
      }
    }
    for (const auto& feature : backup->features) {
      if (main_features.count(feature) == 0) {
        extra.push_back(feature);
      }
    }
    if (missing.empty() && extra.empty()) {
      return;
    }
    std::string message = "features of Main '" + main->id + "' " + listOf(main->features) +
                          " and Backup '" + backup->id + "' " + listOf(backup->features) +
                          " differ (licence mismatch)";
    if (!missing.empty()) {
      message += "; the Backup lacks " + listOf(missing);
    }
    warning(path + ".backup", message);
  }

  // A switch routes each signal from the other machine: both must have it.
  void checkSignalsOnMachines(const PairSettings& pair, const std::string& path) {
    for (const SignalOutputs& signal : pairSignals(pair)) {
      const std::string signal_path =
          pair.signal_outputs.empty() ? path + ".outputs" : path + ".outputs." + signal.signal;
      if (skip(signal_path)) {
        continue;
      }
      for (const std::string* machine_id : {&pair.main, &pair.backup}) {
        const auto machine = machine_index_.find(*machine_id);
        if (machine == machine_index_.end() || inputOf(*machine->second, signal.signal)) {
          continue;
        }
        std::vector<std::string> has;
        for (const SignalInput& entry : machineInputs(*machine->second)) {
          has.push_back(entry.signal);
        }
        error(signal_path, "signal '" + signal.signal + "' has no input on machine '" +
                               *machine_id + "' (its signals: " + listOf(has) +
                               "); every signal of a pair must exist on its Main and its Backup");
      }
    }
  }

  void checkSignalName(const std::string& path, const std::string& signal) {
    if (!skip(path) && !isValidId(signal)) {
      error(path, "invalid signal name '" + signal +
                      "': use only lower-case letters, digits, '_' and '-' ([a-z0-9_-]+)");
    }
  }

  static std::string inputPath(const MachineSettings& machine, const std::string& signal) {
    const std::string path = "machines." + machine.id;
    return machine.inputs.empty() ? path + ".input" : path + ".inputs." + signal;
  }

  // Two signals switched on one router, of one machine or of two, must sit on different
  // inputs of it.
  void checkSharedInputs() {
    std::map<std::string, std::unordered_set<std::string>> machines_of_router;
    for (const auto& pair : config_.pairs) {
      machines_of_router[pair.router].insert(pair.main);
      machines_of_router[pair.router].insert(pair.backup);
    }
    for (const auto& router : config_.routers) {
      const auto used_here = machines_of_router.find(router.id);
      if (used_here == machines_of_router.end()) {
        continue;
      }
      std::map<int, std::pair<const MachineSettings*, std::string>> by_input;  // -> signal
      for (const auto& machine : config_.machines) {
        if (used_here->second.count(machine.id) == 0) {
          continue;
        }
        for (const SignalInput& entry : machineInputs(machine)) {
          const std::string path = inputPath(machine, entry.signal);
          if (skip(path) || entry.input < 1) {
            continue;
          }
          const auto [earlier, inserted] =
              by_input.emplace(entry.input, std::pair(&machine, entry.signal));
          if (inserted) {
            continue;
          }
          const auto& [other, other_signal] = earlier->second;
          error(path,
                "input " + std::to_string(entry.input) + " of router '" + router.id +
                    "' is already used by " +
                    (other->id == machine.id
                         ? "signal '" + other_signal + "' of this machine"
                         : "machine '" + other->id + "'" +
                               (other->inputs.empty() ? "" : " (signal '" + other_signal + "')")));
        }
      }
    }
  }

  void checkRules() {
    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < config_.rules.size(); ++i) {
      const RuleSettings& rule = config_.rules[i];
      const std::string path = indexed("rules", i);
      if (!skip(path + ".name")) {
        if (rule.name.empty()) {
          error(path + ".name", "a rule needs a name");
        } else if (const auto [first, inserted] = names.emplace(rule.name, i); !inserted) {
          error(path + ".name", "duplicate rule name '" + rule.name + "' (also rules[" +
                                    std::to_string(first->second) + "])");
        }
      }
      if (!skip(path + ".source") && rule.source == Check::Status) {
        error(path + ".source",
              "unknown source 'status' (expected one of: engine, videoio, network, diagnostics)");
      }
      if (!skip(path + ".when.field") && !skip(path + ".when") && rule.field.empty()) {
        error(path + ".when.field", "the field must not be empty");
      }
      const RuleValue& value = rule.value;
      const bool is_number = value.number.has_value();
      const int kinds = (is_number ? 1 : 0) + (value.text ? 1 : 0) + (value.boolean ? 1 : 0);
      if (!skip(path + ".when.value") && !skip(path + ".when")) {
        if (kinds != 1) {
          error(path + ".when.value", "expected exactly one value: a number, a string or a bool");
        } else if (!is_number && !skip(path + ".when.op") && rule.op != Operator::Equal &&
                   rule.op != Operator::NotEqual) {
          error(path + ".when.op", std::string("operator '") + toString(rule.op) +
                                       "' needs a number value; use == or != for text and bools");
        }
      }
      checkRange(path + ".for_ms", rule.for_ms, 0, Bounds::kMaxRuleForMs, "ms");
    }
  }

  // Past this many diagnostics the loader shows no more; costly details are left out.
  bool full() const { return diagnostics_.size() > kMaxDetailed; }

  static constexpr std::size_t kMaxDetailed = 200;

  const Config& config_;
  const SourceMap& source_;
  std::vector<std::string> router_ids_;  // in file order, for suggestions
  std::unordered_set<std::string> router_set_;
  std::vector<std::string> machine_ids_;
  std::unordered_set<std::string> machine_set_;
  std::unordered_map<std::string, const MachineSettings*> machine_index_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

std::vector<Diagnostic> validate(const Config& config, const SourceMap& source) {
  return Validator(config, source).run();
}

}  // namespace failover::config
