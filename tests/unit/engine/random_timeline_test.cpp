// Random timelines (fixed seeds): whatever arrives in whatever order, every command is
// answered exactly once, routes go only to connected and enabled routers, tick() leaves no
// deadline behind, and the engine's throughput on healthy heartbeats.

#include <chrono>
#include <map>
#include <random>
#include <set>

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;

class RandomTimeline {
 public:
  explicit RandomTimeline(uint32_t seed) : random_(seed), engine_(sharedBackupConfig(), at(0)) {}

  void run(int steps) {
    for (int i = 0; i < steps; ++i) {
      now_ += pick(0, 150);
      const auto due = engine_.nextDeadline();
      if (due && msOf(*due) <= now_) {
        check(engine_.tick(at(now_)));
        const auto next = engine_.nextDeadline();
        ASSERT_TRUE(!next || msOf(*next) > now_) << "a deadline is left behind at " << now_;
      }
      check(engine_.handle(randomEvent(), at(now_)));
    }
    // Let every timer run out: every command must have been answered.
    for (int guard = 0; guard < 10000; ++guard) {
      const auto due = engine_.nextDeadline();
      if (!due || msOf(*due) > now_ + 60000) {
        break;
      }
      now_ = std::max(now_, msOf(*due));
      check(engine_.tick(at(now_)));
    }
    EXPECT_EQ(pending_.size(), 0u) << "commands never answered";
    EXPECT_GT(routes_, 0);
    EXPECT_GT(answered_, 0);
  }

 private:
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  template <typename T>
  const T& pickOf(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(pick(0, static_cast<int>(items.size()) - 1))];
  }

  Event randomEvent() {
    static const std::vector<std::string> machines = {"green-main", "green-backup", "blue-main"};
    static const std::vector<std::string> pairs = {"green", "blue", "red"};
    static const std::vector<Check> checks = {Check::Status, Check::Engine, Check::VideoIo,
                                              Check::Network, Check::Diagnostics};
    const int kind = pick(0, 99);
    const std::string id = "c" + std::to_string(++commands_);
    if (kind < 55) {
      HealthObserved event =
          health(pickOf(machines), pickOf(checks), pick(0, 9) < 7 ? Reported::Ok : Reported::Fail);
      event.engine_mode = pick(0, 3) == 0 ? "edit" : "live";
      if (pick(0, 9) == 0) {
        event.critical_parameters = {"gpu_temp_c"};
      }
      return event;
    }
    if (kind < 70) {
      std::vector<Route> routes;
      for (int output = 1; output <= 3; ++output) {
        if (pick(0, 1) == 0) {
          routes.push_back({output, pickOf(std::vector<int>{1, 2, 3, 5})});
        }
      }
      RouterObserved event = routing(routes, pick(0, 4) == 0);
      if (pick(0, 9) == 0) {
        event.connected = false;
      }
      if (pick(0, 9) == 0) {
        event.locked_outputs = std::vector<int>{pick(1, 3)};
      }
      return event;
    }
    if (kind < 73) {
      return BusConnectionChanged{pick(0, 1) == 0};
    }
    if (kind < 85) {
      const std::string pair = pickOf(pairs);
      pending_.insert(id);
      return switchTo(
          pair,
          pickOf(std::vector<std::string>{"other", "green-main", "green-backup", "blue-main", "x"}),
          pick(0, 3) == 0, id);
    }
    if (kind < 89) {
      pending_.insert(id);
      return SetMode{pickOf(pairs),
                     pick(0, 1) == 0 ? config::FailoverMode::Auto : config::FailoverMode::Manual,
                     {id, {}, {}}};
    }
    if (kind < 93) {
      pending_.insert(id);
      return SetArmed{pickOf(pairs), pick(0, 1) == 0, {id, {}, {}}};
    }
    if (kind < 95) {
      pending_.insert(id);
      return SetRouterEnabled{pick(0, 3) == 0 ? "vh9" : "vh1", pick(0, 2) != 0, {id, {}, {}}};
    }
    RouteBlockReport report;
    report.request_id = static_cast<uint64_t>(pick(0, static_cast<int>(routes_) + 1));
    report.outcome = pickOf(std::vector<core::BlockOutcome>{
        core::BlockSent{at(now_)}, core::BlockAcknowledged{},
        core::BlockRefused{core::BlockRefusal::Locked, "output 2"},
        core::BlockRefused{core::BlockRefusal::NotConnected, ""},
        core::BlockRefused{core::BlockRefusal::Disabled, ""}, core::BlockConnectionLost{""}});
    return report;
  }

  void check(const std::vector<Action>& actions) {
    for (const Action& action : actions) {
      if (const auto* reply = std::get_if<CommandReply>(&action)) {
        EXPECT_EQ(pending_.erase(reply->command_id), 1u)
            << "reply to " << reply->command_id << " was not expected at " << now_;
        ++answered_;
      } else if (const auto* route = std::get_if<RouteRequest>(&action)) {
        ++routes_;
        for (const auto& pair : route->pairs) {
          const auto state = engine_.pairView(pair);
          EXPECT_TRUE(state->router.connected && state->router.enabled)
              << "route while the router cannot take it, at " << now_;
          EXPECT_EQ(state->failover, FailoverState::Switching) << now_;
        }
      }
    }
  }

  std::mt19937 random_;
  FailoverEngine engine_;
  int64_t now_ = 0;
  int commands_ = 0;
  int64_t routes_ = 0;
  int answered_ = 0;
  std::set<std::string> pending_;
};

TEST(RandomTimelineTest, InvariantsHoldForManySeeds) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomTimeline(seed).run(3000);
    if (::testing::Test::HasFailure()) {
      break;
    }
  }
}

TEST(EngineThroughputTest, HealthyHeartbeatsAreCheap) {
  FailoverEngine engine(manyPairsConfig(144), at(0));
  std::vector<Route> routes;
  for (int i = 1; i <= 144; ++i) {
    routes.push_back({i, 2 * i - 1});
  }
  engine.handle(routing(routes), at(0));
  std::vector<Event> beats;
  for (int i = 1; i <= 144; ++i) {
    for (const auto& machine :
         {"m" + std::to_string(i) + "-main", "m" + std::to_string(i) + "-backup"}) {
      for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
        HealthObserved event = health(machine, check, Reported::Ok);
        event.engine_mode = "live";
        beats.emplace_back(std::move(event));
      }
    }
  }
  for (const auto& beat : beats) {
    engine.handle(beat, at(10));
  }
#ifdef NDEBUG
  constexpr int kMessages = 2'000'000;
#else
  constexpr int kMessages = 200'000;
#endif
  const auto begin = std::chrono::steady_clock::now();
  std::size_t actions = 0;
  for (int i = 0; i < kMessages; ++i) {
    actions += engine.handle(beats[static_cast<std::size_t>(i) % beats.size()], at(20)).size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_EQ(actions, 0u);
  const double rate = kMessages / seconds;
  RecordProperty("messages_per_second", std::to_string(static_cast<int64_t>(rate)));
#ifdef NDEBUG
  // SPEC 6: at least 1,000,000 health messages per second into the engine alone.
  EXPECT_GE(rate, 1'000'000.0);
#endif
}

}  // namespace
}  // namespace failover::engine::testing
