#pragma once

// The facility's configuration as typed values with defaults (SPEC section 4). Plain data:
// the YAML loader (config/loader.h) fills it and validates it, the engine reads it. Port
// numbers here are 1-based, as printed on the router; only the Videohub code converts.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "failover/core/enum_names.h"

namespace failover::config {

enum class MqttVersion { V5, V311 };

struct TlsSettings {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify = true;
};

struct MqttSettings {
  std::string server = "tcp://127.0.0.1:1883";  // tcp:// ssl:// ws:// wss://
  // `servers: [uri, ...]`, the alternative to `server`: tried in this order on every
  // (re)connect. When given, `server` holds its first entry.
  std::vector<std::string> servers;
  std::string base_topic = "failover";
  std::string client_id;  // empty: "failover-<node_id>"
  // client_id was not given: the loader filled in failover-<node_id>. In a cluster the node
  // adds its process instance at start (docs/configuration.md).
  bool client_id_defaulted = false;
  MqttVersion version = MqttVersion::V5;
  int keepalive_s = 10;
  std::string username;
  std::string password_file;  // the password is read from this file, never from the YAML
  std::optional<TlsSettings> tls;
  // MQTT 5 Response Topics outside these prefixes are ignored (responses then go to
  // B/pair/<p>/response/<cmd> only).
  std::vector<std::string> response_topic_prefixes;
};

struct HomeAssistantSettings {
  bool enabled = true;
  std::string discovery_prefix = "homeassistant";
};

// The checks a render machine reports; each has a topic pattern in HealthSettings.
enum class Check { Status, Engine, VideoIo, Network, Diagnostics };
// The keys of health.topics, the sources of rules, the check names in payloads.
inline constexpr std::array kCheckNames = {
    core::EnumName{Check::Status, "status"},           core::EnumName{Check::Engine, "engine"},
    core::EnumName{Check::VideoIo, "videoio"},         core::EnumName{Check::Network, "network"},
    core::EnumName{Check::Diagnostics, "diagnostics"},
};
static_assert(core::isNameTable(kCheckNames, Check::Diagnostics));

struct HealthSettings {
  // {machine} in a pattern is replaced by the machine id.
  std::map<Check, std::string> topics = {
      {Check::Status, "render/{machine}/status"},
      {Check::Engine, "render/{machine}/engine"},
      {Check::VideoIo, "render/{machine}/videoio"},
      {Check::Network, "render/{machine}/network"},
      {Check::Diagnostics, "diagnostics/{machine}/health"},
  };
  int64_t stale_after_ms = 500;     // a check silent this long has failed (unresponsive)
  int64_t startup_grace_ms = 2000;  // no automatic action this long after start
  // After the node's own broker connection returns, no automatic action for this long:
  // every check looked stale while the node was cut off.
  int64_t reconnect_grace_ms = 2000;
  // Diagnostics silent this long are `unknown`: not healthy, not failed. The diagnostics
  // service may publish only on change, so its silence is not a failure; but it can stop
  // silently, and then its last word must not read as true forever. 0 = never.
  int64_t diagnostics_stale_after_ms = 5000;
  // A reported `fail` (or `offline`, or critical diagnostics) counts only once it has held
  // this long without an `ok` in between. 0 = at once. Silence keeps stale_after_ms.
  int64_t confirm_fail_ms = 0;
  // An agent's `offline` (its Last Will) counts only once it has held this long without
  // `online`, and not at all when the node loses the broker meanwhile: a stopping broker
  // publishes the wills of all its clients just before it drops the node's connection.
  int64_t offline_confirm_ms = 250;
};

struct RouterSettings {
  std::string id;
  std::string host = "127.0.0.1";
  uint16_t port = 9990;
  bool enabled = true;
  bool force_unlock = false;  // send F to take a lock held by another client before routing
  bool write_labels = false;  // write machine labels to the router's input labels
  // The local IPv4/IPv6 address the connection to the router leaves from; empty: the
  // system's choice. Two nodes on one host need two addresses (router locks go by address).
  std::string bind_address;
  // Lock the pairs' outputs on the router while this node is in charge (cluster mode).
  bool lock_outputs = false;
};

// The signal a machine's input carries when a machine names only one (`input: N`), and the
// signal of a pair's outputs given as a plain list.
inline constexpr const char* kProgramSignal = "program";

// One signal of a machine (fill, key, program, ...) on a 1-based router input.
struct SignalInput {
  std::string signal;
  int input = 0;
  friend bool operator==(const SignalInput&, const SignalInput&) = default;
};

// The 1-based router outputs of a pair that carry one signal.
struct SignalOutputs {
  std::string signal;
  std::vector<int> outputs;
  friend bool operator==(const SignalOutputs&, const SignalOutputs&) = default;
};

struct MachineSettings {
  std::string id;
  std::string label;
  int input = 0;  // `input: N`: shorthand for inputs {program: N}; 0 when `inputs` is given
  std::vector<SignalInput> inputs;  // `inputs: {fill: 11, key: 12}`, in file order
  std::vector<std::string> features;
};

// Every signal of a machine: `inputs`, or {program: input} for the shorthand.
std::vector<SignalInput> machineInputs(const MachineSettings& machine);
// The input carrying `signal` on `machine`, if it has that signal.
std::optional<int> inputOf(const MachineSettings& machine, const std::string& signal);

enum class FailoverMode { Auto, Manual };
inline constexpr std::array kFailoverModeNames = {
    core::EnumName{FailoverMode::Auto, "auto"},
    core::EnumName{FailoverMode::Manual, "manual"},
};
static_assert(core::isNameTable(kFailoverModeNames, FailoverMode::Manual));

enum class FailbackMode { Manual, Auto };
inline constexpr std::array kFailbackModeNames = {
    core::EnumName{FailbackMode::Manual, "manual"},
    core::EnumName{FailbackMode::Auto, "auto"},
};
static_assert(core::isNameTable(kFailbackModeNames, FailbackMode::Auto));

// What may trigger an automatic failover. `Critical` covers critical diagnostics parameters
// and rules of severity critical.
enum class Trigger { Engine, VideoIo, Network, Critical };
inline constexpr std::array kTriggerNames = {
    core::EnumName{Trigger::Engine, "engine"},
    core::EnumName{Trigger::VideoIo, "videoio"},
    core::EnumName{Trigger::Network, "network"},
    core::EnumName{Trigger::Critical, "critical"},
};
static_assert(core::isNameTable(kTriggerNames, Trigger::Critical));

struct PairSettings {
  std::string id;
  std::string router;
  std::string main;
  std::string backup;
  // Every 1-based router output of the pair, in file order, whichever form the file used;
  // all of them are switched together in one block.
  std::vector<int> outputs;
  // `outputs: {fill: [1, 7], key: [2]}`: which outputs carry which signal. Empty for the
  // list form, which is shorthand for {program: outputs}.
  std::vector<SignalOutputs> signal_outputs;
  FailoverMode mode = FailoverMode::Auto;
  bool armed = true;
  bool require_live = false;  // automatic failover only while the Main's engine reports live
  std::vector<Trigger> triggers = {Trigger::Engine, Trigger::VideoIo, Trigger::Network};
  FailbackMode failback = FailbackMode::Manual;
  int64_t failback_after_ms = 30000;
  int64_t min_dwell_ms = 5000;
};

enum class Operator { Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual };
inline constexpr std::array kOperatorNames = {
    core::EnumName{Operator::Greater, ">"}, core::EnumName{Operator::GreaterEqual, ">="},
    core::EnumName{Operator::Less, "<"},    core::EnumName{Operator::LessEqual, "<="},
    core::EnumName{Operator::Equal, "=="},  core::EnumName{Operator::NotEqual, "!="},
};
static_assert(core::isNameTable(kOperatorNames, Operator::NotEqual));

// Critical first: a misspelt severity is answered "expected one of: critical, warning".
enum class Severity { Critical, Warning };
inline constexpr std::array kSeverityNames = {
    core::EnumName{Severity::Critical, "critical"},
    core::EnumName{Severity::Warning, "warning"},
};
static_assert(core::isNameTable(kSeverityNames, Severity::Warning));

// A rule compares one field of a health payload; a number or a string.
struct RuleValue {
  std::optional<double> number;
  std::optional<std::string> text;
  std::optional<bool> boolean;
};

struct RuleSettings {
  std::string name;
  Check source = Check::Diagnostics;  // engine | videoio | network | diagnostics
  std::string field;                  // dotted path, e.g. parameters.gpu_temp_c.value
  Operator op = Operator::Greater;
  RuleValue value;
  int64_t for_ms = 0;
  Severity severity = Severity::Critical;
};

// `cluster:` (SPEC 8.1): this node is one of several, of which one is in charge. The
// election (failover/cluster/election.h) reads these values.
struct ClusterSettings {
  std::string id;  // [a-z0-9_-]+; topics go under <base_topic>/<id>
  int rank = 0;    // 1 = preferred; unique in the cluster
  int64_t heartbeat_ms = 100;
  int64_t takeover_after_ms = 500;  // silence of the active before a standby takes over
};

struct Config {
  std::string node_id = "fo1";
  std::optional<ClusterSettings> cluster;  // absent: one node, as in SPEC section 5
  MqttSettings mqtt;
  HomeAssistantSettings homeassistant;
  std::string state_file;  // empty: run-time settings are not saved
  // The audit trail: one JSON line per switch, changed setting, reload, start and stop is
  // appended to this file (docs/operations.md). Empty: no audit trail.
  std::string audit_log;
  int audit_log_max_mb = 10;  // the file is rotated before it would grow past this size
  int audit_log_keep = 5;     // rotated files kept: <audit_log>.1 (newest) .. .<keep>
  HealthSettings health;
  std::vector<RouterSettings> routers;    // in file order
  std::vector<MachineSettings> machines;  // in file order
  std::vector<PairSettings> pairs;        // in file order
  std::vector<RuleSettings> rules;

  const RouterSettings* findRouter(const std::string& router_id) const;
  const MachineSettings* findMachine(const std::string& machine_id) const;
  const PairSettings* findPair(const std::string& pair_id) const;
};

// Every signal a pair routes, with its outputs: `signal_outputs`, or {program: outputs}.
std::vector<SignalOutputs> pairSignals(const PairSettings& pair);

// Lower-case names as written in YAML and MQTT ("videoio", "auto", ">="): the k*Names tables
// above, which the YAML reader, the state file and the MQTT command parser read with
// core::valueOf.
const char* toString(Check check);
const char* toString(Trigger trigger);
const char* toString(FailoverMode mode);
const char* toString(FailbackMode mode);
const char* toString(Operator op);
const char* toString(Severity severity);

}  // namespace failover::config
