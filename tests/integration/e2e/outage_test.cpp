// A router outage in the middle of a pair's life: what the node decides while it cannot see
// the router must still be right when the router returns, and the timers that hold a pair on
// one machine (min_dwell_ms, failback_after_ms) count from changes on air, which only the
// router can show.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kEngineFail = R"({"status":"fail","mode":"live","detail":"render crashed"})";

// How far apart two `ts` stamps of the node may look when the real gap was exactly a timer's
// length: they are printed to the millisecond, each converted from the monotonic clock.
constexpr std::chrono::milliseconds kStampTolerance{50};

bool routerConnected(const Json& state) {
  return state.contains("router") && state["router"].value("connected", false);
}

bool machineHealthy(const Json& state, const char* machine) {
  return state.contains("machines") && state["machines"].contains(machine) &&
         state["machines"][machine].value("healthy", false);
}

// A switch the node made and the router confirmed, whatever its cause, that put `machine` on
// air. An external switch is the router's own news, not the node's choice.
bool isSwitchTo(const Json& event, const char* machine) {
  const auto type = event.value("event_type", "");
  return (type == "failover" || type == "failback" || type == "manual_switch") &&
         event.value("result", "") == "ok" && event.value("to", "") == machine;
}

bool isSwitch(const Json& event) {
  return isSwitchTo(event, kMain) || isSwitchTo(event, kBackup);
}

std::optional<Json> waitSwitchTo(Lab& lab, size_t from, const char* machine,
                                 std::chrono::milliseconds timeout) {
  const auto payload = lab.bus().waitAfter(
      from, Lab::pairTopic("event"),
      [&](const std::string& text) {
        const auto json = parseJson(text);
        return json && isSwitchTo(*json, machine);
      },
      timeout);
  if (!payload) {
    return std::nullopt;
  }
  return parseJson(*payload);
}

// Every switch event published since history position `from`, one per line, for failure
// messages: they say which switch was wrong and why the node made it.
std::string eventsSince(Lab& lab, size_t from) {
  std::string text;
  const auto& history = lab.bus().history();
  for (size_t i = from; i < history.size(); ++i) {
    if (history[i].topic == Lab::pairTopic("event")) {
      text += "\n  " + history[i].payload;
    }
  }
  return text.empty() ? std::string("\n  (no event)") : text;
}

// The node's `ts.<which>` of a switch event ("2026-11-25T10:15:30.121Z") as a point in time.
std::optional<std::chrono::sys_time<std::chrono::milliseconds>> stamp(const Json& event,
                                                                      const char* which) {
  if (!event.contains("ts") || !event["ts"].contains(which) || !event["ts"][which].is_string()) {
    return std::nullopt;
  }
  const auto text = event["ts"][which].get<std::string>();
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  int hours = 0;
  int minutes = 0;
  int seconds = 0;
  int millis = 0;
  if (std::sscanf(text.c_str(), "%d-%u-%uT%d:%d:%d.%dZ", &year, &month, &day, &hours, &minutes,
                  &seconds, &millis) != 7) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year} / std::chrono::month{month} /
                                         std::chrono::day{day}};
  if (!date.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{date} + std::chrono::hours{hours} + std::chrono::minutes{minutes} +
         std::chrono::seconds{seconds} + std::chrono::milliseconds{millis};
}

// From the router's confirmation of `first` to its confirmation of `second`.
std::optional<std::chrono::milliseconds> confirmedGap(const Json& first, const Json& second) {
  const auto from = stamp(first, "confirmed");
  const auto to = stamp(second, "confirmed");
  if (!from || !to) {
    return std::nullopt;
  }
  return *to - *from;
}

void stopRouterAndWaitUntilTheNodeSeesIt(Lab& lab) {
  lab.stopRouter();
  const auto away = lab.waitState([](const Json& s) { return !routerConnected(s); });
  ASSERT_TRUE(away) << "the pair never showed the router disconnected; last state: "
                    << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
}

void waitRouterReady(Lab& lab) {
  // The node's router client backs off between attempts, so its return can take a while.
  const auto ready = lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) {
        const auto json = parseJson(p);
        return json && json->value("state", "") == "ready";
      },
      10000ms);
  ASSERT_TRUE(ready) << "the node never saw the router again: "
                     << lab.bus().latest(Lab::topic("router/vh1/state")).value_or("(none)");
}

// The Backup's agent drops off the network while the router is away, and is back before the
// router is: by the time the node can act again, the reason to leave the Backup is gone.
TEST(RouterOutageTest, ADecisionTakenWhileTheRouterWasAwayIsNotReplayedAfterItsReasonIsGone) {
  Lab lab;  // failback manual, min_dwell_ms 0
  lab.start();

  auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", kEngineFail);
  ASSERT_TRUE(waitSwitchTo(lab, mark, kBackup, kEventTimeout))
      << "no failover to the Backup:" << eventsSince(lab, mark);
  ASSERT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
  // The Main recovers; failback is manual, so the Backup stays on air.
  lab.health().set(kMain, "engine", Heartbeats::kOk);
  ASSERT_TRUE(lab.waitState([](const Json& s) {
    return s.value("active", Json()) == kBackup && machineHealthy(s, kMain) &&
           machineHealthy(s, kBackup);
  })) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");

  stopRouterAndWaitUntilTheNodeSeesIt(lab);
  if (HasFatalFailure()) {
    return;
  }

  // The broker publishes the agent's will (retained), then the agent reconnects.
  lab.publish("render/green-backup/status", "offline", true);
  ASSERT_TRUE(lab.waitState([](const Json& s) { return !machineHealthy(s, kBackup); }))
      << "the Backup never showed unhealthy: "
      << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  lab.publish("render/green-backup/status", "online", true);
  ASSERT_TRUE(lab.waitState([](const Json& s) { return machineHealthy(s, kBackup); }))
      << "the Backup never showed healthy again: "
      << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");

  // The router stays away a while longer (the outage length of the soak that found this).
  // Fixed on purpose: it proves the Backup stays healthy and nothing is switched meanwhile.
  const auto quiet = lab.bus().mark();
  for (const auto& payload : lab.bus().collect(quiet, Lab::pairTopic("event"), 1700ms)) {
    EXPECT_FALSE(isSwitch(parseJson(payload).value_or(Json::object())))
        << "a switch without a router: " << payload;
  }
  const auto& history = lab.bus().history();
  for (size_t i = quiet; i < history.size(); ++i) {
    if (history[i].topic == Lab::pairTopic("state")) {
      const auto state = parseJson(history[i].payload).value_or(Json::object());
      ASSERT_TRUE(machineHealthy(state, kBackup) && machineHealthy(state, kMain))
          << "a machine faltered while the router was away: " << history[i].payload;
    }
  }

  mark = lab.bus().mark();
  lab.startRouter({{kOutputA, kBackupInput}, {kOutputB, kBackupInput}});
  waitRouterReady(lab);
  if (HasFatalFailure()) {
    return;
  }
  EXPECT_TRUE(lab.waitState([](const Json& s) {
    return routerConnected(s) && s.value("active", Json()) == kBackup;
  })) << "the pair never showed the router back with the Backup on air; last state: "
      << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");

  // Settle window, fixed on purpose: it proves that no switch follows the router's return.
  const auto events = lab.bus().collect(mark, Lab::pairTopic("event"), 1000ms);
  for (const auto& payload : events) {
    const auto event = parseJson(payload).value_or(Json::object());
    EXPECT_FALSE(isSwitchTo(event, kMain))
        << "the healthy Backup was switched off air after the router returned: " << payload;
  }
  const auto routes = lab.routes();
  EXPECT_EQ(routes.at(kOutputA), kBackupInput)
      << "events since the router returned:" << eventsSince(lab, mark);
  EXPECT_EQ(routes.at(kOutputB), kBackupInput);
  EXPECT_EQ(lab.bus().latest(Lab::pairTopic("active")).value_or("(none)"), kBackup);
}

// The Main fails while the router is away; when the router returns the node fails over at
// once. The Backup failing right after must not bring the Main back before min_dwell_ms has
// passed since the Backup went on air.
TEST(RouterOutageTest, MinimumDwellCountsFromTheChangeOnAirNotFromTheDecision) {
  constexpr std::chrono::milliseconds kDwell{2000};
  LabOptions options;
  options.min_dwell_ms = static_cast<int>(kDwell.count());
  Lab lab(options);  // failback manual
  lab.start();

  stopRouterAndWaitUntilTheNodeSeesIt(lab);
  if (HasFatalFailure()) {
    return;
  }
  lab.health().set(kMain, "engine", kEngineFail);
  ASSERT_TRUE(lab.waitState([](const Json& s) { return !machineHealthy(s, kMain); }))
      << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  // The router stays away for most of the dwell (the outage length of the soak that found
  // this). Fixed on purpose: it proves nothing is switched while the router cannot be seen.
  auto mark = lab.bus().mark();
  for (const auto& payload : lab.bus().collect(mark, Lab::pairTopic("event"), 1500ms)) {
    EXPECT_FALSE(isSwitch(parseJson(payload).value_or(Json::object())))
        << "a switch without a router: " << payload;
  }

  mark = lab.bus().mark();
  lab.startRouter({{kOutputA, kMainInput}, {kOutputB, kMainInput}});
  waitRouterReady(lab);
  if (HasFatalFailure()) {
    return;
  }
  const auto first = waitSwitchTo(lab, mark, kBackup, kEventTimeout);
  ASSERT_TRUE(first) << "no failover once the router returned:" << eventsSince(lab, mark);
  const auto first_seen = Clock::now();

  // The Main is healthy again first, so the Backup's failure has somewhere to go.
  const auto after_first = lab.bus().mark();
  lab.health().set(kMain, "engine", Heartbeats::kOk);
  ASSERT_TRUE(lab.waitState([](const Json& s) { return machineHealthy(s, kMain); }))
      << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  lab.health().set(kBackup, "engine", kEngineFail);
  const auto backup_failed = Clock::now() - first_seen;

  // The correct node holds the Backup until the dwell ends, then switches.
  const auto second = waitSwitchTo(lab, after_first, kMain, kDwell + 2000ms);
  const auto second_seen = Clock::now() - first_seen;
  ASSERT_TRUE(second) << "the Main never went back on air:" << eventsSince(lab, mark);
  const auto gap = confirmedGap(*first, *second);
  ASSERT_TRUE(gap) << first->dump() << "\n" << second->dump();
  EXPECT_GE(*gap, kDwell - kStampTolerance)
      << "the second change on air came " << gap->count() << " ms after the first (the test "
      << "failed the Backup "
      << std::chrono::duration_cast<std::chrono::milliseconds>(backup_failed).count()
      << " ms and saw the switch back "
      << std::chrono::duration_cast<std::chrono::milliseconds>(second_seen).count()
      << " ms after it saw the first); events:" << eventsSince(lab, mark);
  EXPECT_TRUE(lab.waitPairRoutedTo(kMainInput, kEventTimeout));
}

// An operator puts the Backup on air while both machines are healthy; with failback auto the
// Main must then have been healthy for failback_after_ms WHILE the Backup is on air, which
// min_dwell_ms (shorter) does not replace.
TEST(RouterOutageTest, AutomaticFailbackWaitsFailbackAfterFromTheBackupGoingOnAir) {
  constexpr std::chrono::milliseconds kFailbackAfter{3000};
  LabOptions options;
  options.failback = "auto";
  options.failback_after_ms = static_cast<int>(kFailbackAfter.count());
  options.min_dwell_ms = 500;
  Lab lab(options);
  lab.start();

  // Fixed window on purpose: it proves that nothing switches while the healthy Main is on
  // air, and it leaves the Main healthy for longer than failback_after_ms before the operator
  // acts, so a failback counted from the Main's recovery instead of from the Backup going on
  // air would be due at once.
  const auto idle = lab.bus().mark();
  EXPECT_TRUE(lab.bus().collect(idle, Lab::pairTopic("event"), kFailbackAfter + 500ms).empty())
      << "a switch with the healthy Main on air:" << eventsSince(lab, idle);

  const auto mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"),
              R"({"target":"green-backup","force":false,"transaction":"op-1"})");
  const auto manual = waitSwitchTo(lab, mark, kBackup, kEventTimeout);
  ASSERT_TRUE(manual) << "the operator's switch did not happen:" << eventsSince(lab, mark);
  EXPECT_EQ(manual->value("event_type", ""), "manual_switch") << manual->dump();

  const auto back = waitSwitchTo(lab, mark, kMain, kFailbackAfter + 3000ms);
  ASSERT_TRUE(back) << "no failback to the healthy Main:" << eventsSince(lab, mark);
  EXPECT_EQ(back->value("event_type", ""), "failback") << back->dump();
  const auto gap = confirmedGap(*manual, *back);
  ASSERT_TRUE(gap) << manual->dump() << "\n" << back->dump();
  EXPECT_GE(*gap, kFailbackAfter - kStampTolerance)
      << "failed back " << gap->count()
      << " ms after the Backup went on air; events:" << eventsSince(lab, mark);
  EXPECT_TRUE(lab.waitPairRoutedTo(kMainInput, kEventTimeout));
}

}  // namespace
}  // namespace failover::e2e
