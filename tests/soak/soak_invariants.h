#pragma once

// The fault soak's judgement: the invariants of failover-node, checked from outside on the
// record of one run (what the soak did, what the router did, what the node published).
// Every rule leans towards silence where the outside view cannot be sure, so that a
// violation it reports is a real one; docs/benchmarks.md ("Fault soak") lists the rules.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "soak_record.h"
#include "soak_schedule.h"

namespace failover::soak {

struct Violation {
  int invariant = 0;  // 1..9, as numbered in docs/benchmarks.md (7-9: cluster mode)
  double at_ms = 0;
  std::string pair;
  std::string what;
};

struct Verdict {
  std::vector<Violation> violations;
  std::map<std::string, int> checks;    // checks made, by invariant name
  std::map<std::string, int> switches;  // changes on air by cause: node, operator, ...
  std::vector<std::string> notes;       // things worth knowing that are not violations
  std::vector<std::string> timeline;    // every change on air, for --verbose
};

Verdict judge(const Facility& facility, const Record& record);

const char* invariantName(int invariant);

// "2026-12-05T10:11:12.345Z" as milliseconds since the Unix epoch.
std::optional<double> parseRfc3339Ms(const std::string& text);

}  // namespace failover::soak
