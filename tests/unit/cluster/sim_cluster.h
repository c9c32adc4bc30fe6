#pragma once

// A simulated cluster for the election's timeline tests: several ClusterElection instances
// and a broker that passes every heartbeat to every connected node, with a delay per link
// (and optional random jitter from a seeded generator). Messages stay in order per link, as
// on one real broker. Nodes can be started, killed, frozen (what reaches them waits until
// they resume; their timer fires first, the worst case), cut from the broker (silently or
// with a reported loss) and given handover requests. After every event the simulation
// counts the nodes whose fence is open at that instant: more than one is recorded as a
// violation, the invariant every test checks.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "failover/cluster/election.h"

namespace failover::cluster::testing {

using Ms = core::Millis;

struct NodeRecord {
  std::vector<TakeoverEvent> takeovers;
  std::vector<Problem> problems;
  std::vector<HandoverAnswer> answers;
  std::vector<std::pair<core::MonoTime, bool>> fence_changes;
  std::vector<Role> roles;  // every role published, in order
  uint64_t max_term = 0;
};

class SimCluster {
 public:
  explicit SimCluster(Ms heartbeat = Ms(100), Ms takeover_after = Ms(500), uint32_t seed = 1,
                      bool trust_last_will = true);

  // Adds a node (not started). Returns its index.
  int addNode(const std::string& node_id, int rank);
  // Start: connect to the broker and start the election, at `at` (ms after the origin).
  void start(int node, int64_t at);
  // Same node_id and rank, a new process instance: after kill().
  void restart(int node, int64_t at);
  // kill -9: the process and its connection are gone; the broker publishes its will at once.
  void kill(int node, int64_t at);
  void freeze(int node, int64_t at, int64_t duration_ms);
  // Cut from the broker: nothing passes either way. `reported`: the connection was closed,
  // the node's bus reports the loss and the broker publishes its will at once. Otherwise it
  // notices nothing (a black hole) and the broker publishes its will `will_after_ms` later
  // (its keepalive check; never when negative). A silent cut with will_after_ms 0 is the
  // worst case: the broker closed the connection but the node never heard.
  void cut(int node, int64_t at, bool reported, int64_t will_after_ms = -1);
  // Cut in one direction only, silently: `outbound` = its messages no longer reach the
  // broker; otherwise it no longer receives. Healed by reconnect().
  void cutOneWay(int node, int64_t at, bool outbound);
  void reconnect(int node, int64_t at);
  void handover(int64_t at, const std::string& to);
  void routers(int node, int64_t at, bool ok);
  // Delays of one node's links: to the broker and from it, plus up to `jitter` random.
  void setDelays(int node, int64_t up_ms, int64_t down_ms, int64_t jitter_ms = 0);

  void runUntil(int64_t at);

  core::MonoTime time(int64_t ms) const { return origin_ + Ms(ms); }
  int64_t nowMs() const;
  ClusterElection& election(int node) { return *nodes_.at(static_cast<size_t>(node)).election; }
  const NodeRecord& record(int node) const { return nodes_.at(static_cast<size_t>(node)).record; }
  // Nodes whose fence is open now.
  std::vector<int> routing() const;
  int violations() const { return violations_; }
  std::string violationReport() const { return violation_report_; }
  bool termsMonotonic() const { return terms_monotonic_; }

 private:
  struct Node {
    std::string id;
    int rank = 0;
    std::unique_ptr<ClusterElection> election;
    uint64_t instance = 0;
    uint64_t connection = 0;          // counts the node's connections to the broker
    uint64_t will_published_for = 0;  // the connection whose will went out
    bool alive = false;
    bool linked = false;   // the broker passes messages to and from it
    bool sends = true;     // with linked: its messages reach the broker
    bool receives = true;  // with linked: the broker's messages reach it
    int64_t frozen_until = -1;
    uint64_t tick_generation = 0;
    int64_t up_ms = 1;
    int64_t down_ms = 1;
    int64_t jitter_ms = 0;
    core::MonoTime last_up{};  // FIFO per link
    core::MonoTime last_down{};
    NodeRecord record;
  };
  struct Event {
    core::MonoTime at;
    uint64_t seq;
    std::function<void()> run;
    bool operator>(const Event& other) const {
      return at != other.at ? at > other.at : seq > other.seq;
    }
  };

  void schedule(core::MonoTime at, std::function<void()> run);
  // Runs `deliver` on the node now, or when it resumes; drops it if it is dead by then.
  void atNode(int node, core::MonoTime at, std::function<void()> deliver);
  void apply(int node, const Step& step);
  void publish(int node, const Heartbeat& heartbeat);
  // The broker publishes the Last Will of `node`'s connection (if it has not yet).
  void publishWill(int node);
  // The broker passes a message to every connected node but `except` (-1: to all, the sender
  // included), each over its own link; `deliver` hands it to the node's election.
  void broadcast(int except, const std::function<Step(ClusterElection&)>& deliver);
  core::MonoTime linkTime(Node& node, bool up);
  void checkInvariant();

  core::MonoTime origin_;
  core::MonoTime now_;
  Ms heartbeat_;
  Ms takeover_after_;
  bool trust_last_will_;
  std::mt19937 random_;
  uint64_t seq_ = 0;
  uint64_t next_instance_ = 1000;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::vector<Node> nodes_;
  int violations_ = 0;
  std::string violation_report_;
  bool terms_monotonic_ = true;
};

}  // namespace failover::cluster::testing
