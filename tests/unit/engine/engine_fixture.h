#pragma once

// Timeline fixture for the failover engine: a manual clock in milliseconds since t0, event
// builders, periodic heartbeats from the simulated machines, and a compact text form of
// actions so tests assert the exact action list.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "failover/config/config.h"
#include "failover/engine/failover_engine.h"

namespace failover::engine::testing {

inline const core::MonoTime kT0 = core::MonoTime{} + std::chrono::hours(1);

inline core::MonoTime at(int64_t ms) {
  return kT0 + std::chrono::milliseconds(ms);
}
inline int64_t msOf(core::MonoTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time - kT0).count();
}

// One pair "green" (green-main on input 1, green-backup on input 2, outputs 1 and 2) on
// router vh1; stale 500 ms, grace 2000 ms, dwell 5000 ms, failback manual after 30 s.
config::Config basicConfig();
// basicConfig plus pair "blue" (blue-main on input 3, outputs 3) sharing green-backup.
config::Config sharedBackupConfig();
// Pair "ar": ar-main (fill 11, key 12) and ar-backup (fill 13, key 14), fill on outputs 1
// and 7, key on output 2; pair "cam": cam-main on input 5, cam-backup on 6, output 3.
config::Config fillKeyConfig();
// `count` pairs p<i>: m<i>-main on input 2i-1, m<i>-backup on input 2i, output i.
config::Config manyPairsConfig(int count);

// Text form of one action; PairStateChanged shows the pair's state after the call.
std::string describe(const FailoverEngine& engine, const Action& action);
std::vector<std::string> describe(const FailoverEngine& engine, const std::vector<Action>& actions);

HealthObserved health(const std::string& machine, config::Check check, Reported status,
                      const std::string& detail = "");
RouterObserved routing(const std::vector<core::Route>& routes, bool full = true,
                       const std::string& router = "vh1");
RouterObserved routerDown(const std::string& router = "vh1");
SwitchCommand switchTo(const std::string& pair, const std::string& target, bool force = false,
                       const std::string& id = "c1");

class EngineTimeline : public ::testing::Test {
 protected:
  // Creates the engine at t0 with `config`.
  void start(const config::Config& config, EngineOptions options = {});

  // handle()/tick() at `ms` since t0 (never earlier than the previous call), in text form.
  std::vector<std::string> handle(int64_t ms, const Event& event);
  std::vector<std::string> tick(int64_t ms);
  std::vector<Action> handleRaw(int64_t ms, const Event& event);
  // FailoverEngine::reload at `ms`; from then on the timeline's machines are `config`'s.
  std::vector<std::string> reload(int64_t ms, const config::Config& config);

  // Runs the timeline to `ms`: every 100 ms each machine that is alive sends its engine,
  // videoio and network heartbeats (status per check, engine mode per machine), and tick()
  // runs at every deadline in between. Returns all actions in order.
  std::vector<std::string> runTo(int64_t ms);

  // Router shows every output of every pair on its Main; every machine is online and beats
  // from t0; then the timeline runs past start-up grace. Returns nothing (asserts quiet).
  void settle(int64_t until_ms = 2500);

  void silence(const std::string& machine, config::Check check) {
    silent_.insert({machine, check});
  }
  void revive(const std::string& machine, config::Check check) { silent_.erase({machine, check}); }
  void report(const std::string& machine, config::Check check, Reported status) {
    reported_[{machine, check}] = status;
  }
  void engineMode(const std::string& machine, const std::string& mode) { modes_[machine] = mode; }

  PairView view(const std::string& pair) const { return *engine_->pairView(pair); }
  std::optional<int64_t> deadline() const {
    const auto next = engine_->nextDeadline();
    return next ? std::optional<int64_t>(msOf(*next)) : std::nullopt;
  }

  config::Config config_;
  std::unique_ptr<FailoverEngine> engine_;
  int64_t now_ = 0;
  int64_t next_beat_ = 0;
  std::set<std::pair<std::string, config::Check>> silent_;
  std::map<std::pair<std::string, config::Check>, Reported> reported_;
  std::map<std::string, std::string> modes_;
};

}  // namespace failover::engine::testing
