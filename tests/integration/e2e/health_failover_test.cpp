// Health failures of the on-air Main, end to end: the agents' messages go through Mosquitto
// to failover-node, which routes the pair's two outputs on videohub-sim to the Backup. The
// simulator's routing is the truth; the node's topics must tell the same story.

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

// Asserts the failover event, the router's routing and the retained topics after the Main
// failed `check` with `status`.
void expectFailedOverTo(Lab& lab, const Json& event, const std::string& check,
                        const std::string& status) {
  EXPECT_EQ(event.value("from", ""), kMain);
  EXPECT_EQ(event.value("to", ""), kBackup);
  EXPECT_EQ(event.value("result", ""), "ok");
  EXPECT_EQ(event.value("reason", ""), "health");
  ASSERT_TRUE(event.contains("trigger") && event["trigger"].is_object()) << event.dump();
  EXPECT_EQ(event["trigger"].value("machine", ""), kMain);
  EXPECT_EQ(event["trigger"].value("check", ""), check);
  EXPECT_EQ(event["trigger"].value("status", ""), status);
  EXPECT_EQ(event["router"]["outputs"], Json::array({kOutputA, kOutputB}));
  EXPECT_EQ(event["router"]["input_from"], kMainInput);
  EXPECT_EQ(event["router"]["input_to"], kBackupInput);
  EXPECT_TRUE(event["latency_ms"]["total"].is_number()) << event.dump();
  EXPECT_TRUE(event["ts"]["confirmed"].is_string()) << event.dump();

  // The event is published once the router confirmed both outputs.
  const auto routes = lab.routes();
  EXPECT_EQ(routes.at(kOutputA), kBackupInput);
  EXPECT_EQ(routes.at(kOutputB), kBackupInput);

  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("active"), kBackup, kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("failover"), "active", kEventTimeout));
  EXPECT_TRUE(lab.bus().waitLatest(
      Lab::pairTopic("last_event"), [](const std::string& p) { return !p.empty(); },
      kEventTimeout));
  const auto state = lab.waitState([](const Json& s) {
    return s.value("active", Json()) == kBackup && s.value("failover", "") == "active";
  });
  ASSERT_TRUE(state);
  EXPECT_EQ((*state)["router"]["input"], kBackupInput);
}

TEST(HealthFailoverTest, EngineFailOnMainMovesBothOutputsToBackup) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","mode":"live","detail":"render crashed"})");

  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  expectFailedOverTo(lab, *event, "engine", "fail");
  // From the failing message's arrival to the router's confirmation, on loopback (generous
  // slack for a loaded test machine; the benchmarks measure the real numbers).
  EXPECT_LT((*event)["latency_ms"]["total"].get<double>(), 100.0) << event->dump();
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("machine/green-main/problem"), "ON",
                                         kEventTimeout));
}

TEST(HealthFailoverTest, SilentEnginePastStaleAfterFailsOver) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  const auto silenced = std::chrono::steady_clock::now();
  lab.health().silence(kMain, "engine");

  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  // Not before the engine has been silent for stale_after_ms (300 ms).
  EXPECT_GE(std::chrono::steady_clock::now() - silenced, 250ms);
  expectFailedOverTo(lab, *event, "engine", "stale");
  // Measured from the moment the engine turned stale (last heartbeat + stale_after_ms) to
  // the router's confirmation: the node's own share, on loopback, with generous slack for
  // a loaded test machine.
  EXPECT_LT((*event)["latency_ms"]["total"].get<double>(), 100.0) << event->dump();
}

TEST(HealthFailoverTest, VideoIoFailureFailsOver) {
  Lab lab;
  lab.start();
  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "videoio", R"({"status":"fail","detail":"no genlock"})");

  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  expectFailedOverTo(lab, *event, "videoio", "fail");
}

TEST(HealthFailoverTest, AgentOfflineWillFailsOverAsNetworkFailure) {
  LabOptions options;
  // Longer than offline_confirm_ms (250) with a heartbeat period to spare, so the will and
  // not the silence is what triggers.
  options.stale_after_ms = 1000;
  Lab lab(options);
  lab.start();
  const auto mark = lab.bus().mark();
  // What the broker publishes for the agent's last will when the machine drops off the
  // network; its heartbeats stop with it.
  lab.health().silence(kMain, "network");
  lab.publish("render/green-main/status", "offline", true);

  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  EXPECT_EQ((*event)["trigger"].value("machine", ""), kMain);
  // The LWT arrives well before the network heartbeat goes stale: it is what triggers.
  expectFailedOverTo(lab, *event, "status", "offline");
}

TEST(HealthFailoverTest, NetworkDropOfTheMainFailsOverOnItsWill) {
  LabOptions options;
  options.render_sim = true;
  Lab lab(options);
  lab.start();
  const auto mark = lab.bus().mark();
  // render-sim cuts the machine's broker connection without a DISCONNECT: the broker
  // publishes its will.
  ASSERT_EQ(lab.agents("drop green-main"), "ok");
  EXPECT_TRUE(lab.bus().waitLatestEquals("render/green-main/status", "offline", kEventTimeout))
      << "the broker did not publish the agent's will";

  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  expectFailedOverTo(lab, *event, "status", "offline");

  // The machine comes back: healthy again, but failback is manual, so the Backup stays.
  const auto recovered = lab.bus().mark();
  ASSERT_EQ(lab.agents("recover green-main"), "ok");
  EXPECT_TRUE(lab.waitState([](const Json& s) {
    return s["machines"][kMain].value("healthy", false);
  })) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("machine/green-main/problem"), "OFF",
                                         kEventTimeout));
  EXPECT_TRUE(lab.bus().collect(recovered, Lab::pairTopic("event"), 500ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kBackupInput);
}

TEST(HealthFailoverTest, CriticalDiagnosticsSwitchWhenCriticalIsATrigger) {
  LabOptions options;
  options.triggers = {"engine", "videoio", "network", "critical"};
  Lab lab(options);
  lab.start();
  const auto mark = lab.bus().mark();
  lab.publish(
      "diagnostics/green-main/health",
      R"({"status":"critical","parameters":{"gpu_temp_c":{"value":101,"level":"critical"}}})");

  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  expectFailedOverTo(lab, *event, "critical", "critical");
}

TEST(HealthFailoverTest, CriticalDiagnosticsOnlyAdviseWithoutTheCriticalTrigger) {
  Lab lab;  // triggers: engine, videoio, network
  lab.start();
  const auto mark = lab.bus().mark();
  lab.publish(
      "diagnostics/green-main/health",
      R"({"status":"critical","parameters":{"gpu_temp_c":{"value":101,"level":"critical"}}})");

  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("switch_advised"), "ON", kEventTimeout));
  const auto state = lab.waitState([](const Json& s) { return s.value("switch_advised", false); });
  ASSERT_TRUE(state);
  EXPECT_EQ(state->value("active", Json()), kMain);
  EXPECT_EQ((*state)["machines"][kMain].value("status", ""), "critical");

  // Nothing switches: no event within a few staleness periods, routing unchanged.
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 800ms).empty());
  const auto routes = lab.routes();
  EXPECT_EQ(routes.at(kOutputA), kMainInput);
  EXPECT_EQ(routes.at(kOutputB), kMainInput);
  EXPECT_EQ(lab.bus().latest(Lab::pairTopic("active")), kMain);
}

TEST(HealthFailoverTest, UnhealthyBackupMeansNoSwitchAndDegraded) {
  Lab lab;
  lab.start();
  lab.health().set(kBackup, "engine", R"({"status":"fail","detail":"scene not loaded"})");
  ASSERT_TRUE(lab.waitState([](const Json& s) {
    return !s["machines"][kBackup].value("healthy", true);
  })) << "the Backup never showed unhealthy";

  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  EXPECT_TRUE(lab.bus().waitLatestEquals(Lab::pairTopic("failover"), "degraded", kEventTimeout));
  const auto state =
      lab.waitState([](const Json& s) { return s.value("failover", "") == "degraded"; });
  ASSERT_TRUE(state);
  EXPECT_EQ(state->value("active", Json()), kMain);
  EXPECT_TRUE(hasWarning(*state, "standby_unhealthy")) << state->dump();

  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 600ms).empty());
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput);
  EXPECT_EQ(lab.routes().at(kOutputB), kMainInput);

  // As soon as the Backup is healthy again it takes over.
  lab.health().set(kBackup, "engine", Heartbeats::kOk);
  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover once the Backup recovered";
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
}

TEST(HealthFailoverTest, LockedOutputMakesTheFailoverFailVisibly) {
  Lab lab;
  lab.start();
  // A panel at another address holds output 2.
  ASSERT_EQ(lab.sim("lock 2 127.0.0.9"), "ok");
  ASSERT_TRUE(lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& p) {
        auto json = parseJson(p);
        return json && (*json)["locked_outputs"] == Json::array({kOutputB});
      },
      kEventTimeout))
      << "the router state never showed output 2 locked";

  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  const auto event = lab.waitEvent(mark, "switch_failed");
  ASSERT_TRUE(event) << "the refused failover was not reported";
  EXPECT_NE(event->value("result", ""), "ok");
  EXPECT_EQ(event->value("to", ""), kBackup);
  ASSERT_TRUE(event->contains("error")) << event->dump();
  EXPECT_EQ((*event)["error"].value("code", ""), "not_allowed") << event->dump();
  EXPECT_EQ(lab.routes().at(kOutputB), kMainInput) << "a locked output must not move";
  // The pair's state carries the lock as a warning while it holds.
  const auto state = lab.waitState([](const Json& s) { return hasWarning(s, "output_locked"); });
  EXPECT_TRUE(state) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
}

// A pair's outputs are switched together (SPEC 4): with output 2 locked by another client the
// failover is refused before anything is sent, and the Main stays on air on both outputs.
TEST(HealthFailoverTest, LockedOutputDoesNotSplitThePair) {
  Lab lab;
  lab.start();
  ASSERT_EQ(lab.sim("lock 2 127.0.0.9"), "ok");
  ASSERT_TRUE(lab.waitState([](const Json& s) { return !s["warnings"].empty(); }));
  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","detail":"render crashed"})");
  ASSERT_TRUE(lab.waitEvent(mark, "switch_failed"));
  EXPECT_EQ(lab.routes().at(kOutputA), kMainInput) << "the pair was split across machines";
  EXPECT_EQ(lab.routes().at(kOutputB), kMainInput);
}

}  // namespace
}  // namespace failover::e2e
