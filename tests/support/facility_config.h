#pragma once

// A failover-node configuration for tests, labs and benchmarks, written as YAML: the node's
// settings, its routers, machines and pairs. A setting left unset (an empty string, an empty
// optional) is not written, so the node's default applies: each user writes what it chooses
// and nothing more. FacilityConfig::nPairs() gives the usual facility of N pairs on one router.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace failover::testing {

struct FacilityConfig {
  struct Mqtt {
    std::string server;  // e.g. tcp://127.0.0.1:1883
    std::string base_topic = "failover";
    std::optional<int> keepalive_s;
    std::optional<int> version;  // 5 or 3
  };

  struct Health {
    std::optional<int> stale_after_ms;
    std::optional<int> startup_grace_ms;
    std::optional<int> reconnect_grace_ms;
    // 0 where the machines publish no diagnostics: their silence must not warn.
    std::optional<int> diagnostics_stale_after_ms;
  };

  struct Router {
    std::string id;
    std::string address;  // host:port
    std::optional<bool> write_labels;
    std::string bind_address;  // "" = the system's choice
    std::optional<bool> lock_outputs;
  };

  // cluster: (SPEC 8.1); unset: a single node.
  struct Cluster {
    std::string id = "studio";
    int rank = 1;
    std::optional<int> heartbeat_ms;
    std::optional<int> takeover_after_ms;
  };

  struct Machine {
    std::string id;
    std::string label;  // "" = the id, the node's default
    int input = 0;      // 1-based router input
    // One input per signal, e.g. {{"fill", 1}, {"key", 5}}, written as `inputs:` in this
    // order in place of `input`.
    std::vector<std::pair<std::string, int>> inputs = {};
  };

  struct Pair {
    std::string id;
    std::string router;
    std::string main;
    std::string backup;
    std::vector<int> outputs;  // 1-based router outputs
    // The outputs per signal, e.g. {{"fill", {1, 3}}, {"key", {2}}}, written as the `outputs:`
    // map in this order in place of `outputs`.
    std::vector<std::pair<std::string, std::vector<int>>> signal_outputs = {};
    std::string mode;  // "auto" or "manual"
    std::optional<bool> armed;
    // e.g. {"engine", "videoio", "network"}; an empty list is written (no automatic failover).
    std::optional<std::vector<std::string>> triggers;
    std::optional<int> min_dwell_ms;
    std::string failback;  // "auto" or "manual"
    std::optional<int> failback_after_ms;
  };

  std::string node_id = "fo1";
  std::optional<Mqtt> mqtt;
  std::optional<Cluster> cluster;
  std::optional<bool> homeassistant_enabled;
  std::string state_file;
  std::string audit_log;  // empty: no audit trail
  Health health;
  std::vector<Router> routers;
  std::vector<Machine> machines;
  std::vector<Pair> pairs;
  std::string extra_yaml;  // appended at the top level as it is (e.g. rules)

  // The usual facility of `count` pairs on router vh1 at `router_address`: pair i is p<i>,
  // with Main p<i>-main on input 2i+1 and Backup p<i>-backup on input 2i+2, on output i+1.
  // Nothing else is set.
  static FacilityConfig nPairs(int count, const std::string& router_address);
  static std::string pairId(int pair) { return "p" + std::to_string(pair); }
  static std::string mainId(int pair) { return pairId(pair) + "-main"; }
  static std::string backupId(int pair) { return pairId(pair) + "-backup"; }

  std::string yaml() const;
  // Writes yaml() to `path`. Throws std::runtime_error when the file cannot be written.
  void write(const std::filesystem::path& path) const;
};

}  // namespace failover::testing
