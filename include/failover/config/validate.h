#pragma once

// Semantic validation of a Config: ids, cross-references between pairs, machines and
// routers, port and timeout bounds, rules, and the licence (feature) check of F3. Pure: it
// works on the structs, so a Config built in code can be checked too.

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "failover/config/config.h"
#include "failover/config/diagnostic.h"

namespace failover::config {

// Bounds enforced by validate(), inclusive. Documented in docs/configuration.md.
struct Bounds {
  static constexpr int64_t kMinStaleAfterMs = 50;
  static constexpr int64_t kMaxStaleAfterMs = 600'000;
  static constexpr int64_t kMaxOfflineConfirmMs = 10'000;
  static constexpr int64_t kMaxGraceMs = 600'000;             // startup and reconnect grace
  static constexpr int64_t kMaxFailbackAfterMs = 86'400'000;  // one day
  static constexpr int64_t kMaxMinDwellMs = 3'600'000;
  static constexpr int64_t kMaxRuleForMs = 3'600'000;
  static constexpr int kMinKeepaliveS = 1;
  static constexpr int kMaxKeepaliveS = 3600;
  static constexpr int kMinAuditLogMaxMb = 1;
  static constexpr int kMaxAuditLogMaxMb = 10'240;  // 10 GiB
  static constexpr int kMinAuditLogKeep = 1;
  static constexpr int kMaxAuditLogKeep = 100;
  // Cluster mode (docs/redundancy.md explains the timing).
  static constexpr int kMaxClusterRank = 999;
  static constexpr int64_t kMinHeartbeatMs = 20;
  static constexpr int64_t kMaxHeartbeatMs = 10'000;
  static constexpr int64_t kMaxTakeoverAfterMs = 60'000;
  // takeover_after_ms is at least this many heartbeats: a standby must not take over on one
  // or two heartbeats delayed by the network.
  static constexpr int64_t kMinHeartbeatsPerTakeover = 3;
  static constexpr std::size_t kMaxMqttServers = 16;
  // A Videohub has at most 288 ports; larger numbers are certainly typos. The real size of
  // the router is only known from its prelude at run time.
  static constexpr int kMaxPort = 288;
};

// Where the values of a loaded Config came from. Positions are keyed by dotted key path
// ("pairs.green.main", "pairs.green.outputs[0]") and point at the key (or list item).
// `reported` holds paths the reader already reported as missing or malformed; validate()
// does not report them again.
struct SourceMap {
  std::string file;
  std::unordered_map<std::string, Position> positions;
  std::set<std::string> reported;

  // The position recorded for `path`, else for its closest recorded parent, else unknown.
  Position find(const std::string& path) const;
  // True when `path` or one of its parents was reported (a malformed parent makes every
  // value under it meaningless).
  bool wasReported(const std::string& path) const;
};

// Checks `config` and returns its errors and warnings (severity set on each), unordered.
// With an empty SourceMap, diagnostics carry no positions.
std::vector<Diagnostic> validate(const Config& config, const SourceMap& source = {});

// True when `id` matches [a-z0-9_-]+ (node, machine, pair and router ids).
bool isValidId(const std::string& id);

}  // namespace failover::config
