#pragma once

// The fault soak's view of a cluster (SPEC 8.1), built from the record of one run: which node
// was in charge when, by the cluster's own announcements (C/cluster/active, the takeover
// events, C/nodes/<id>/role), and the nodes' lives and freezes as the soak caused them. Also
// the two invariants that are about the cluster alone: who may route, and exactly one node in
// charge after every fault. docs/benchmarks.md ("Fault soak") lists the rules and tolerances.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "soak_invariants.h"
#include "soak_record.h"
#include "soak_schedule.h"

namespace failover::soak {

// A routing block may reach the router's log this long before the announcement of the node
// that sent it: the node opens its fence, then publishes C/cluster/active and the takeover
// event (whose `ts` is taken in that same step); its first block can overtake them.
inline constexpr double kChargeLeadMs = 100;
// ... and this long after its charge ended: a block written just before the end is logged by
// the router slightly later (the election keeps 100-225 ms between the old node's last
// routing instant and the new node's first on top of this).
inline constexpr double kChargeTailMs = 100;
// After the last fault of the cluster's nodes, broker or router (for the broker: once every
// node is back on it), exactly one node is in charge within this: listening 500 ms, claim and
// settle 200 ms, 500 ms fenced before a claim is given up, a router reconnect (its back-off),
// and the announcements' way to the soak.
inline constexpr double kOneActiveWithinMs = 4000;

// One stretch of a node in charge: from its announcement until another node's announcement,
// its own role saying otherwise, or its SIGKILL, whichever came first.
struct Charge {
  std::string node;
  double begin_ms = 0;
  double end_ms = 0;
  std::string ended_by;  // for the reports
};

// A takeover event on C/cluster/event, at the time of its `ts` (or of its receipt if earlier).
struct Takeover {
  double at_ms = 0;
  std::string from;
  std::string to;
  std::string reason;
  double takeover_ms = 0;
};

class ClusterView {
 public:
  ClusterView(const Facility& facility, const Record& record);

  const std::vector<Charge>& charges() const { return charges_; }
  const std::vector<Takeover>& takeovers() const { return takeovers_; }
  // The longest stretch with nobody in charge between two charges: its length and start.
  std::pair<double, double> longestGap() const;
  // The node in charge at `at` (no tolerance), if any.
  const Charge* chargeAt(double at) const;
  // Whether `node` ran throughout [from, to]: started before, not killed, not frozen.
  bool runningThroughout(const std::string& node, double from, double to) const;
  bool frozenDuring(const std::string& node, double from, double to) const;
  // The start of the process of `node` running at `at`.
  std::optional<double> spawnOf(const std::string& node, double at) const;
  std::optional<double> killAfter(const std::string& node, double at) const;

  // 7: every routing block the router logged came from a node in charge at the time.
  void checkRoutingFromCharge(Verdict& verdict) const;
  // 9: once the cluster has been left alone for kOneActiveWithinMs after a fault, exactly one
  // running node says `active`, and it is the one C/cluster/active names.
  void checkOneActive(Verdict& verdict) const;

 private:
  struct Announcement {
    double at_ms = 0;        // the best estimate of when it was made
    double received_ms = 0;  // when the soak read it
    std::string node;
  };
  struct Role {
    double received_ms = 0;
    std::string node;
    std::string role;
  };

  void readBus();
  void buildCharges();
  std::optional<std::string> roleAt(const std::string& node, double at) const;
  std::string describeCharges(const std::string& node, double at) const;
  // When a broker outage was over for the cluster: the broker up and every running node back
  // on it.
  double backOnBroker(const Outage& outage) const;
  // Whether the broker or the router was away at `at` (nobody can be in charge without them).
  bool outageAt(double at) const;

  const Facility& facility_;
  const Record& record_;
  std::vector<Announcement> announcements_;
  std::vector<Role> roles_;
  std::vector<Takeover> takeovers_;
  std::vector<Charge> charges_;
  std::map<std::string, std::vector<double>> online_;  // each node's `online`, as read
};

}  // namespace failover::soak
