#pragma once

// The takeover scenarios of cluster mode, run on the two-node lab of the cluster end-to-end
// tests (real Mosquitto, videohub-sim, failover-node fo1 and fo2 leaving for the router from
// 127.0.0.2 and 127.0.0.3). Times run from the signal sent to the node in charge to the arrival
// of the answer at an MQTT client of the benchmark, stamped on its receive thread.
//
// Every run acts on whichever node is in charge; there is no preemption, so a node killed and
// restarted comes back as the standby and the roles alternate. Before the next run the lab is
// brought back to one node in charge and one standby ready to take over ("candidate").

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../node/bench_bus.h"
#include "cluster_lab.h"
#include "cut_relay.h"

namespace failover::bench {

struct TakeoverSettings {
  int heartbeat_ms = 100;
  int takeover_after_ms = 500;
  int freeze_ms = 400;      // short-freeze: how long the node in charge is stopped
  int fail_after_ms = 100;  // fail-after-kill: when the machine on air fails after the kill
  unsigned seed = 1;        // of the random instants at which the signals are sent
};

// What the runs of one scenario measured.
struct TakeoverResults {
  std::vector<double> to_active_ms;   // signal -> C/cluster/active names the other node
  std::vector<double> event_ms;       // takeover_ms reported in the takeover event
  std::vector<double> to_on_air_ms;   // fail-after-kill: kill -> the other machine on air
  int takeovers = 0;                  // short-freeze: runs that ended in a takeover
  int runs = 0;                       // runs completed
  std::vector<std::string> problems;  // runs that could not be measured, broken invariants
  // Routing blocks the router received during the runs, from each node.
  int blocks_fo1 = 0;
  int blocks_fo2 = 0;
};

class TakeoverRuns {
 public:
  // Starts the lab with these cluster timings; throws std::runtime_error when it does not
  // come up.
  explicit TakeoverRuns(const TakeoverSettings& settings);
  ~TakeoverRuns();
  TakeoverRuns(const TakeoverRuns&) = delete;
  TakeoverRuns& operator=(const TakeoverRuns&) = delete;

  // kill -9 of the node in charge; restarted afterwards.
  TakeoverResults kill(int runs);
  // SIGSTOP of the node in charge until the other took charge, then SIGCONT.
  TakeoverResults freeze(int runs);
  // kill -9 of the node in charge, and fail_after_ms later the machine on air fails.
  TakeoverResults failAfterKill(int runs);
  // SIGSTOP of the node in charge for freeze_ms, then SIGCONT: a takeover is not expected.
  TakeoverResults shortFreeze(int runs);
  // The node in charge cut from the broker until the other took charge, then let back.
  // `mode`: Close (its connections closed, new ones refused: the broker publishes its will)
  // or Silent (a black hole: no byte passes, nothing is closed, no will comes in time).
  TakeoverResults cut(int runs, cluster_e2e::CutRelay::Mode mode);

 private:
  struct Takeover {
    std::optional<Clock::time_point> active_at;  // C/cluster/active named the new node
    std::optional<double> event_ms;              // takeover_ms of its takeover event
    std::optional<Clock::time_point> on_air_at;  // the pair's state showed the machine on air
  };

  // What kill, freeze and cut do to the node in charge in each run.
  struct Disruption {
    std::string during;  // "after" / "while": how a failed run's problem reads
    std::string what;    // " was killed"
    std::function<void(const std::string& node)> disrupt;
    // Right after the takeover was seen (or not): SIGCONT, the relay opened again.
    std::function<void(const std::string& node)> end;
    // Whether the node came back as a standby ready to take over; `ended_at`: when end() ran.
    std::function<bool(const std::string& node, Clock::time_point ended_at)> back;
    std::string not_back;
  };
  // Runs `disruption` on whichever node is in charge, `runs` times: the time from the
  // disruption to the announcement of the other node, its takeover_ms, and the routing blocks.
  TakeoverResults disruptions(int runs, const Disruption& disruption);

  static std::string other(const std::string& node) { return node == "fo1" ? "fo2" : "fo1"; }
  static std::string topic(const std::string& leaf) { return cluster_e2e::ClusterLab::topic(leaf); }
  // How long a takeover may take before a run counts as failed.
  std::chrono::milliseconds takeoverBound() const;
  // Reads the benchmark client's messages until the takeover by `to` was announced and
  // reported (and, when `on_air` is given, the pair's state showed that machine on air), or
  // the timeout. Other messages are dropped.
  Takeover waitTakeover(const std::string& to, std::chrono::milliseconds timeout,
                        const std::string& on_air = "");
  // Waits for a heartbeat of `node`, received at or after `since`, that satisfies `match`.
  bool waitHeartbeat(const std::string& node, Clock::time_point since,
                     const std::function<bool(const nlohmann::json&)>& match,
                     std::chrono::milliseconds timeout);
  // `node` heartbeats as a standby ready to take over.
  bool waitReadyStandby(const std::string& node, Clock::time_point since);
  // `node` heartbeats as the node in charge with its fence open.
  bool waitOpenActive(const std::string& node, Clock::time_point since);
  // The pair's state, published at or after `since`, shows `on_air_` on air with both
  // machines healthy.
  bool waitPairHealthy(Clock::time_point since);
  // Reaps the killed node, starts it again and waits until it stands by, ready.
  bool restart(const std::string& node);
  // Sleeps a random time below heartbeat_ms. Each run starts right after a heartbeat was
  // read; without this, every signal would hit the node at the same point of its heartbeat
  // cycle, and the spread of the takeover times would be that of one phase only.
  void randomPhase();
  // Reads what the lab's own observer has queued, so that its pipe never fills up.
  void drainObserver();
  // Puts a relay between each node and the broker (nodes restarted one after the other).
  bool relayNodes();
  void countBlocks(TakeoverResults& results, int fo1_before, int fo2_before) const;
  int blocksFrom(const std::string& node) const;

  TakeoverSettings settings_;
  std::unique_ptr<cluster_e2e::ClusterLab> lab_;
  std::unique_ptr<BenchBus> bus_;
  std::string active_ = "fo1";
  std::string on_air_;  // the machine the pair routes to
  std::map<std::string, std::unique_ptr<cluster_e2e::CutRelay>> relays_;
  std::mt19937 random_;  // node -> its way to the broker
};

// The value at quantile `p` (0..1) of `values`, nearest rank; 0 when empty.
double percentile(std::vector<double> values, double p);

}  // namespace failover::bench
