#include "failover/daemon/node.h"

#include <memory>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_fixture.h"
#include "failover/config/state_file.h"
#include "failover/daemon/health_payload.h"
#include "support/facility_config.h"
#include "support/fake_ports.h"

namespace failover::daemon {
namespace {

using failover::testing::FakeAuditTrail;
using failover::testing::FakeMessageBus;
using failover::testing::FakeRouter;
using failover::testing::FakeRunStateStore;
using failover::testing::FakeTimer;
using failover::testing::ManualTimeSource;
using failover::testing::Published;
using Json = nlohmann::json;
using testing::kOnePairYaml;
using testing::kTwoPairYaml;
using testing::loadConfig;

constexpr const char* kB = "failover/fo1";

Json parsed(const std::optional<Published>& published) {
  EXPECT_TRUE(published);
  return published ? Json::parse(published->payload) : Json();
}

// A node wired to fakes. Time starts at t0 and moves only through the helpers.
class NodeTest : public ::testing::Test {
 protected:
  void build(const std::string& yaml, NodeIdentity identity = {"1.2.3", "abc123", {}},
             const std::string& without_router = "", bool with_publish_timer = false,
             bool with_store = true) {
    config_ = loadConfig(yaml);
    // The fake machines send no diagnostics; silence of diagnostics is the engine's own tests.
    config_.health.diagnostics_stale_after_ms = 0;
    std::map<std::string, ports::RouterControl*> routers;
    for (const auto& router : config_.routers) {
      routers_[router.id] = std::make_unique<FakeRouter>();
      if (router.id != without_router) {
        routers[router.id] = routers_[router.id].get();
      }
    }
    NodePorts ports{bus_,
                    clock_,
                    timer_,
                    routers,
                    with_publish_timer ? &publish_timer_ : nullptr,
                    with_store ? &store_ : nullptr,
                    &audit_,
                    reload_ports_,
                    may_route_};
    node_ = std::make_unique<Node>(config_, std::move(ports), std::move(identity));
    bus_.setHandlers({[this] { node_->onBusConnected(); },
                      [this](const std::string&) { node_->onBusLost(); },
                      [this](const ports::BusMessage& message) {
                        node_->onBusMessage(message);
                      }});
    for (const auto& machine : config_.machines) {
      alive_.insert(machine.id);
    }
  }

  FakeRouter& router(const std::string& id = "vh1") { return *routers_.at(id); }
  int64_t nowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.monotonicNow() - t0_)
        .count();
  }
  std::string base() const { return config_.mqtt.base_topic + "/" + config_.node_id; }
  std::string pairTopic(const std::string& pair, const std::string& leaf) const {
    return base() + "/pair/" + pair + "/" + leaf;
  }
  std::string healthTopic(const std::string& machine, config::Check check) const {
    std::string pattern = config_.health.topics.at(check);
    pattern.replace(pattern.find("{machine}"), 9, machine);
    return pattern;
  }

  // The router reports every output of every pair on its Main.
  void routerShowsMains() {
    for (const auto& router_settings : config_.routers) {
      engine::RouterObserved observed;
      observed.router = router_settings.id;
      observed.connected = true;
      observed.full = true;
      observed.locked_outputs = std::vector<int>{};
      for (const auto& pair : config_.pairs) {
        if (pair.router != router_settings.id) {
          continue;
        }
        for (int output : pair.outputs) {
          observed.routes.push_back({output, config_.findMachine(pair.main)->input});
        }
      }
      node_->onRouterObserved(observed);
    }
  }

  // The router's update after it applied `routes` (what confirms a switch).
  void routerApplied(const std::vector<core::Route>& routes, const std::string& id = "vh1") {
    engine::RouterObserved observed;
    observed.router = id;
    observed.connected = true;
    observed.full = false;
    observed.routes = routes;
    node_->onRouterObserved(observed);
  }

  void send(const std::string& topic, const std::string& payload, bool retained = false) {
    bus_.inject(topic, payload, retained);
  }

  void beatAll() {
    for (const auto& machine : alive_) {
      for (const auto check :
           {config::Check::Engine, config::Check::VideoIo, config::Check::Network}) {
        if (config_.health.topics.count(check) != 0) {
          send(healthTopic(machine, check), R"({"status":"ok","mode":"live"})");
        }
      }
    }
  }

  // Moves time to `target_ms`, every machine that is alive beating each 100 ms and the
  // engine timer fired exactly at its deadlines.
  void runTo(int64_t target_ms) {
    const auto target = t0_ + std::chrono::milliseconds(target_ms);
    for (int guard = 0; guard < 1'000'000; ++guard) {
      auto next = std::min(target, next_beat_);
      if (timer_.deadline() && *timer_.deadline() < next) {
        next = std::max(*timer_.deadline(), clock_.monotonicNow());
      }
      if (next > clock_.monotonicNow()) {
        clock_.advance(next - clock_.monotonicNow());
      }
      if (timer_.fireIfDue(clock_.monotonicNow()) ||
          publish_timer_.fireIfDue(clock_.monotonicNow())) {
        continue;
      }
      if (clock_.monotonicNow() >= next_beat_) {
        beatAll();
        next_beat_ += std::chrono::milliseconds(100);
        continue;
      }
      if (clock_.monotonicNow() >= target) {
        return;
      }
    }
    FAIL() << "runTo did not reach " << target_ms << " ms";
  }

  // Started, connected, router up on the Mains, every machine online and healthy, start-up
  // grace over. Publishes so far are cleared.
  void settle() {
    node_->start();
    bus_.connect();
    routerShowsMains();
    for (const auto& machine : config_.machines) {
      if (config_.health.topics.count(config::Check::Status) != 0) {
        send(healthTopic(machine.id, config::Check::Status), "online", true);
      }
      if (config_.health.topics.count(config::Check::Diagnostics) != 0) {
        send(healthTopic(machine.id, config::Check::Diagnostics), R"({"status":"ok"})", true);
      }
    }
    runTo(2500);
    bus_.clear();
  }

  // Every topic published since the last clear() was published exactly once.
  void expectEachTopicPublishedOnce() const {
    std::map<std::string, int> counts;
    for (const auto& published : bus_.published()) {
      ++counts[published.topic];
    }
    for (const auto& [topic, count] : counts) {
      EXPECT_EQ(count, 1) << topic;
    }
  }

  // Publishes other than the node's counters (which follow every rejected payload).
  std::vector<Published> statePublishes() const {
    std::vector<Published> found;
    for (const auto& published : bus_.published()) {
      if (published.topic != base() + "/node/stats") {
        found.push_back(published);
      }
    }
    return found;
  }

  Json pairState(const std::string& pair = "green") const {
    return parsed(bus_.last(pairTopic(pair, "state")));
  }

  // The audit trail's lines so far, parsed.
  std::vector<Json> auditLines() const {
    std::vector<Json> lines;
    for (const auto& line : audit_.lines()) {
      lines.push_back(Json::parse(line));
    }
    return lines;
  }

  ManualTimeSource clock_;
  const core::MonoTime t0_ = clock_.monotonicNow();
  core::MonoTime next_beat_ = t0_;
  FakeMessageBus bus_;
  FakeTimer timer_;
  FakeTimer publish_timer_;
  FakeRunStateStore store_;
  FakeAuditTrail audit_;
  ReloadPorts reload_ports_;         // set before build()
  std::function<bool()> may_route_;  // set before build(); unset: may always route
  std::map<std::string, std::unique_ptr<FakeRouter>> routers_;
  std::set<std::string> alive_;
  config::Config config_;
  std::unique_ptr<Node> node_;
};

TEST_F(NodeTest, StartSubscribesCommandHealthAndHomeAssistantFilters) {
  build(kOnePairYaml);
  node_->start();
  std::map<std::string, ports::SubscriptionKind> subscribed(bus_.subscriptions().begin(),
                                                            bus_.subscriptions().end());
  EXPECT_EQ(subscribed.size(), bus_.subscriptions().size()) << "subscribed twice";
  for (const std::string filter :
       {"failover/fo1/pair/+/set", "failover/fo1/pair/+/set/+", "failover/fo1/pair/+/request/+",
        "failover/fo1/router/+/set/enabled", "failover/fo1/node/request/+"}) {
    ASSERT_EQ(subscribed.count(filter), 1u) << filter;
    EXPECT_EQ(subscribed[filter], ports::SubscriptionKind::Command) << filter;
  }
  for (const std::string filter :
       {"render/+/status", "render/+/engine", "render/+/videoio", "render/+/network",
        "diagnostics/+/health", "homeassistant/status"}) {
    ASSERT_EQ(subscribed.count(filter), 1u) << filter;
    EXPECT_EQ(subscribed[filter], ports::SubscriptionKind::State) << filter;
  }
  EXPECT_EQ(subscribed.size(), 11u);
  EXPECT_TRUE(timer_.deadline()) << "the engine's clock starts with the node";
}

TEST_F(NodeTest, ReloadOfABadFileChangesNothingAndARemovedPairIsCleared) {
  std::string next;
  reload_ports_.load = [&next] {
    return config::loadConfigString(next, "next.yaml");
  };
  build(kTwoPairYaml);
  settle();
  const std::string request = "studio/failover/fo2/node/request/reload";
  const std::string response = "studio/failover/fo2/node/response/reload";

  next = "node_id: fo2\npairs: [\n";
  send(request, R"({"transaction":"t1"})");
  Json answer = parsed(bus_.last(response));
  EXPECT_EQ(answer["status"], "error");
  EXPECT_EQ(answer["code"], "invalid_config");
  EXPECT_EQ(answer["transaction"], "t1");
  ASSERT_FALSE(answer["data"]["errors"].empty()) << answer.dump();
  EXPECT_EQ(answer["data"]["errors"][0].get<std::string>().rfind("next.yaml:", 0), 0u);
  EXPECT_TRUE(node_->engineForTest().pairView("blue"));
  EXPECT_FALSE(bus_.last(pairTopic("blue", "state"))) << "a refused reload published pair state";

  next = std::string(kTwoPairYaml).substr(0, std::string(kTwoPairYaml).find("  blue:\n"));
  next = next.replace(next.find("node_id: fo2"), 12, "node_id: fo9");
  send(request, R"({"transaction":"t2"})");
  answer = parsed(bus_.last(response));
  EXPECT_EQ(answer["code"], "restart_required");
  EXPECT_EQ(answer["data"]["settings"], Json::array({"node_id", "mqtt.client_id"}));
  EXPECT_TRUE(node_->engineForTest().pairView("blue"));

  next = next.replace(next.find("node_id: fo9"), 12, "node_id: fo2");
  bus_.clear();
  send(request, R"({"transaction":"t3"})");
  answer = parsed(bus_.last(response));
  ASSERT_EQ(answer["status"], "ok") << answer.dump();
  EXPECT_EQ(answer["data"]["pairs"]["removed"], Json::array({"blue"}));
  EXPECT_EQ(answer["data"]["pairs"]["unchanged"], Json::array({"green"}));
  EXPECT_FALSE(node_->engineForTest().pairView("blue"));
  for (const char* leaf : {"state", "active", "mode", "armed", "failover", "last_event"}) {
    const auto cleared = bus_.last(pairTopic("blue", leaf));
    ASSERT_TRUE(cleared) << leaf;
    EXPECT_TRUE(cleared->payload.empty()) << leaf;
    EXPECT_TRUE(cleared->options.retain) << leaf;
  }
  EXPECT_FALSE(bus_.last(pairTopic("green", "state"))) << "the unchanged pair was published again";
  EXPECT_TRUE(router("vh1").blocks().empty()) << "the reload sent a routing block";
  const auto event = parsed(bus_.last("studio/failover/fo2/node/event"));
  EXPECT_EQ(event["event_type"], "reload");
  EXPECT_EQ(event["result"], "ok");
}

TEST_F(NodeTest, ConnectPublishesNodeInfoRouterAndPairStateRetained) {
  build(kOnePairYaml, {"1.2.3", "abc123", {{"homeassistant/device/failover_fo1/config", "{}"}}});
  node_->start();
  EXPECT_TRUE(bus_.published().empty()) << "nothing is published before the broker connects";
  bus_.connect();

  const auto info = bus_.last("failover/fo1/node/info");
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->options.retain);
  const Json info_json = Json::parse(info->payload);
  EXPECT_EQ(info_json["node_id"], "fo1");
  EXPECT_EQ(info_json["version"], "1.2.3");
  EXPECT_EQ(info_json["config_hash"], "abc123");
  EXPECT_EQ(info_json["pairs"], (Json{"green"}));
  EXPECT_EQ(info_json["routers"], (Json{"vh1"}));
  EXPECT_EQ(info_json["started"], rfc3339(clock_.wallNow()));

  const auto router_state = bus_.last("failover/fo1/router/vh1/state");
  ASSERT_TRUE(router_state);
  EXPECT_TRUE(router_state->options.retain);
  const Json router_json = Json::parse(router_state->payload);
  EXPECT_EQ(router_json["connected"], false);
  EXPECT_EQ(router_json["address"], "127.0.0.1:9990");
  EXPECT_EQ(router_json["state"], "connecting");

  const auto state = bus_.last(pairTopic("green", "state"));
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->options.retain);
  const Json state_json = Json::parse(state->payload);
  EXPECT_EQ(state_json["pair"], "green");
  EXPECT_EQ(state_json["mode"], "auto");
  EXPECT_TRUE(state_json["active"].is_null()) << "the router has not told yet";

  const std::map<std::string, std::string> plain = {{"mode", "auto"},
                                                    {"armed", "ON"},
                                                    {"switch_advised", "OFF"},
                                                    {"machine/green-main/problem", "ON"},
                                                    {"machine/green-backup/problem", "ON"}};
  for (const auto& [leaf, payload] : plain) {
    const auto published = bus_.last(pairTopic("green", leaf));
    ASSERT_TRUE(published) << leaf;
    EXPECT_EQ(published->payload, payload) << leaf;
    EXPECT_TRUE(published->options.retain) << leaf;
  }
  const auto failover = bus_.last(pairTopic("green", "failover"));
  ASSERT_TRUE(failover);
  EXPECT_EQ(failover->payload, state_json["failover"].get<std::string>());
  EXPECT_TRUE(failover->options.retain);

  const auto discovery = bus_.last("homeassistant/device/failover_fo1/config");
  ASSERT_TRUE(discovery);
  EXPECT_TRUE(discovery->options.retain);
  // Every publish of a connect is retained state.
  for (const auto& published : statePublishes()) {
    EXPECT_TRUE(published.options.retain) << published.topic;
  }
}

// While the router has not told which machine is on air, B/pair/<p>/active is the empty
// string (mqtt-contract.md), which also clears a stale retained value from an earlier run.
// publishRetained() compares against a default-constructed "" and never sends it (see the
// report).
TEST_F(NodeTest, UnknownActiveIsPublishedEmptyOnConnect) {
  build(kOnePairYaml);
  node_->start();
  bus_.connect();
  const auto active = bus_.last(pairTopic("green", "active"));
  ASSERT_TRUE(active);
  EXPECT_EQ(active->payload, "");
  EXPECT_TRUE(active->options.retain);
}

// mqtt-contract.md: B/node/stats is not retained. Node::publishStats() goes through
// publishRetained() (see the report).
// The bus's own counters go out with the node's, so an operator sees refused or dropped
// publishes (an ACL that does not grant a topic, a broker away for long) on the dashboard.
TEST_F(NodeTest, StatsCarryTheBusCounters) {
  build(kOnePairYaml);
  node_->start();
  bus_.setCounters({2, 1500, 3, 4, 5});
  bus_.connect();
  const Json stats = parsed(bus_.last("failover/fo1/node/stats"));
  EXPECT_EQ(
      stats["mqtt"],
      (Json{{"connects", 2}, {"published", 1500}, {"refused", 3}, {"dropped", 4}, {"waiting", 5}}));
}

TEST_F(NodeTest, StatsAreRetainedSoLateSubscribersSeeThem) {
  build(kOnePairYaml);
  node_->start();
  bus_.connect();
  send("render/green-main/engine", "{{{");
  const auto stats = bus_.last("failover/fo1/node/stats");
  ASSERT_TRUE(stats);
  // docs/mqtt-api.md: the counters are retained, so a dashboard sees them when it starts.
  EXPECT_TRUE(stats->options.retain);
}

TEST_F(NodeTest, RouterAndHealthShowInPairState) {
  build(kOnePairYaml);
  settle();
  // Settling published nothing new after the clear; the last state is from before.
  send("render/green-backup/engine", R"({"status":"warn","detail":"frame drops"})");
  const Json state = pairState();
  EXPECT_EQ(state["active"], "green-main");
  EXPECT_EQ(state["failover"], "idle");
  EXPECT_EQ(state["router"]["connected"], true);
  EXPECT_EQ(state["router"]["input"], 1);
  EXPECT_EQ(state["router"]["outputs"], (Json{1, 2}));
  EXPECT_EQ(state["machines"]["green-main"]["healthy"], true);
  EXPECT_EQ(state["machines"]["green-backup"]["checks"]["engine"]["status"], "warn");
  EXPECT_EQ(state["machines"]["green-backup"]["checks"]["engine"]["detail"], "frame drops");
}

TEST_F(NodeTest, UnchangedStateIsNotPublishedAgain) {
  build(kOnePairYaml);
  settle();
  runTo(5000);  // heartbeats that change nothing
  EXPECT_EQ(bus_.count(pairTopic("green", "state")), 0u);
  // Only the counters are refreshed while messages flow.
  for (const auto& published : bus_.published()) {
    EXPECT_EQ(published.topic, "failover/fo1/node/stats");
  }

  RouterStatus status;
  status.id = "vh1";
  status.connected = true;
  status.state = "ready";
  node_->onRouterStatus(status);
  node_->onRouterStatus(status);
  EXPECT_EQ(bus_.count("failover/fo1/router/vh1/state"), 1u);
  status.locked_outputs = {4};
  node_->onRouterStatus(status);
  EXPECT_EQ(bus_.count("failover/fo1/router/vh1/state"), 2u);
}

TEST_F(NodeTest, ConnectPublishesEachRetainedTopicOnce) {
  build(kOnePairYaml);
  node_->start();
  bus_.connect();
  expectEachTopicPublishedOnce();
}

TEST_F(NodeTest, EverythingIsRepublishedAfterAReconnect) {
  build(kOnePairYaml);
  settle();
  const auto before = node_->stats().published;
  bus_.lose();
  runTo(3000);
  bus_.connect();
  EXPECT_GT(node_->stats().published, before);
  for (const std::string& topic :
       {std::string("failover/fo1/node/info"), std::string("failover/fo1/router/vh1/state"),
        pairTopic("green", "state"), pairTopic("green", "active"), pairTopic("green", "mode"),
        pairTopic("green", "armed"), pairTopic("green", "failover")}) {
    EXPECT_GE(bus_.count(topic), 1u) << topic;
  }
  EXPECT_EQ(bus_.last(pairTopic("green", "active"))->payload, "green-main");
}

TEST_F(NodeTest, ReconnectPublishesEachRetainedTopicOnce) {
  build(kOnePairYaml);
  settle();
  bus_.lose();
  runTo(3000);
  bus_.clear();
  bus_.connect();
  expectEachTopicPublishedOnce();
}

// detect_to_command is the node's own share: from reading the message off the bus to the
// routing block written to the router (BlockSent); command_to_confirm is the router's.
TEST_F(NodeTest, SwitchLatencyRunsFromTheMessageReadToTheBlockWritten) {
  build(kOnePairYaml);
  settle();
  alive_.erase("green-main");
  ports::BusMessage message;
  message.topic = "render/green-main/engine";
  message.payload = R"({"status":"fail"})";
  message.received_at = clock_.monotonicNow();
  // The message waited 30 µs in the io queue; building the block takes 20 µs more.
  clock_.advance(std::chrono::microseconds(30));
  router().onBlock([this](std::size_t index) {
    clock_.advance(std::chrono::microseconds(20));
    router().report(index, core::BlockSent{clock_.monotonicNow()});
  });
  bus_.inject(message);
  ASSERT_EQ(router().blocks().size(), 1u);

  clock_.advance(std::chrono::microseconds(400));
  router().report(0, core::BlockAcknowledged{});
  routerApplied({{1, 2}, {2, 2}});
  const auto event = bus_.last(pairTopic("green", "event"));
  ASSERT_TRUE(event);
  const Json latency = Json::parse(event->payload)["latency_ms"];
  EXPECT_DOUBLE_EQ(latency["detect_to_command"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(latency["command_to_confirm"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(latency["total"].get<double>(), 0.45);
}

// A YAML of `pairs` pairs on one router, p<i> on output i+1.
std::string manyPairsYaml(int pairs) {
  auto config = failover::testing::FacilityConfig::nPairs(pairs, "127.0.0.1:9990");
  config.homeassistant_enabled = false;
  config.health.stale_after_ms = 500;
  config.health.startup_grace_ms = 0;
  for (auto& pair : config.pairs) {
    pair.min_dwell_ms = 0;
  }
  return config.yaml();
}

// Failures that arrived together are all routed before any pair state is published.
TEST_F(NodeTest, ABurstOfFailuresIsRoutedBeforeItIsReported) {
  build(manyPairsYaml(3));
  settle();
  for (int i = 0; i < 3; ++i) {
    alive_.erase("p" + std::to_string(i) + "-main");
    ports::BusMessage message;
    message.topic = "render/p" + std::to_string(i) + "-main/engine";
    message.payload = R"({"status":"fail"})";
    message.more_follow = i < 2;
    bus_.inject(message);
    if (i < 2) {
      EXPECT_FALSE(bus_.last(pairTopic("p0", "state"))) << "after message " << i;
    }
  }
  ASSERT_FALSE(router().blocks().empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed(bus_.last(pairTopic("p" + std::to_string(i), "state")))["failover"],
              "switching");
  }
}

// With a publish timer (the daemon's), changed pair states leave a few pairs per turn of the
// io thread, each pair once with its latest state.
TEST_F(NodeTest, WithAPublishTimerPairStatesLeaveInSmallTurns) {
  build(manyPairsYaml(10), {"1.2.3", "abc123", {}}, "", /*with_publish_timer=*/true);
  settle();
  for (int i = 0; i < 10; ++i) {
    alive_.erase("p" + std::to_string(i) + "-main");
    send("render/p" + std::to_string(i) + "-main/engine", R"({"status":"fail"})");
  }
  ASSERT_EQ(router().blocks().size(), 10u) << "routed at once, one request per message";
  EXPECT_FALSE(bus_.last(pairTopic("p0", "state"))) << "nothing published yet";

  ASSERT_TRUE(publish_timer_.fireIfDue(clock_.monotonicNow()));
  EXPECT_TRUE(bus_.last(pairTopic("p3", "state")));
  EXPECT_FALSE(bus_.last(pairTopic("p4", "state"))) << "four pairs per turn";
  // A pair that changes again before its turn is published once, with its latest state.
  router().acknowledge(9, clock_.monotonicNow());
  routerApplied({{10, 20}});
  ASSERT_TRUE(publish_timer_.fireIfDue(clock_.monotonicNow()));
  ASSERT_TRUE(publish_timer_.fireIfDue(clock_.monotonicNow()));
  EXPECT_FALSE(publish_timer_.deadline()) << "all published, nothing armed";
  EXPECT_EQ(bus_.count(pairTopic("p9", "state")), 1u);
  EXPECT_EQ(parsed(bus_.last(pairTopic("p9", "state")))["failover"], "active");
  EXPECT_EQ(parsed(bus_.last(pairTopic("p8", "state")))["failover"], "switching");
}

TEST_F(NodeTest, HealthFailureSwitchesBothOutputsInOneBlockAndPublishesTheEvent) {
  build(kOnePairYaml);
  settle();
  alive_.erase("green-main");
  send("render/green-main/engine", R"({"status":"fail","detail":"render thread hung"})");

  ASSERT_EQ(router().blocks().size(), 1u);
  EXPECT_EQ(router().blocks()[0].routes, (std::vector<core::Route>{{1, 2}, {2, 2}}));
  EXPECT_EQ(pairState()["failover"], "switching");
  EXPECT_FALSE(bus_.last(pairTopic("green", "event"))) << "no event before the router confirms";

  clock_.advance(std::chrono::microseconds(400));
  router().acknowledge(0, clock_.monotonicNow());
  EXPECT_FALSE(bus_.last(pairTopic("green", "event"))) << "an ACK alone is not a switch";
  routerApplied({{1, 2}, {2, 2}});

  const auto event = bus_.last(pairTopic("green", "event"));
  ASSERT_TRUE(event);
  EXPECT_FALSE(event->options.retain);
  const auto last_event = bus_.last(pairTopic("green", "last_event"));
  ASSERT_TRUE(last_event);
  EXPECT_TRUE(last_event->options.retain);
  EXPECT_EQ(last_event->payload, event->payload);

  const Json json = Json::parse(event->payload);
  EXPECT_EQ(json["event_type"], "failover");
  EXPECT_EQ(json["pair"], "green");
  EXPECT_EQ(json["from"], "green-main");
  EXPECT_EQ(json["to"], "green-backup");
  EXPECT_EQ(json["trigger"]["machine"], "green-main");
  EXPECT_EQ(json["trigger"]["check"], "engine");
  EXPECT_EQ(json["trigger"]["status"], "fail");
  EXPECT_EQ(json["router"]["id"], "vh1");
  EXPECT_EQ(json["router"]["outputs"], (Json{1, 2}));
  EXPECT_EQ(json["router"]["input_from"], 1);
  EXPECT_EQ(json["router"]["input_to"], 2);
  EXPECT_EQ(json["result"], "ok");
  EXPECT_EQ(json["reason"], "health");
  EXPECT_EQ(json["seq"], 1);
  EXPECT_DOUBLE_EQ(json["latency_ms"]["total"].get<double>(), 0.4);

  const auto latency = bus_.last(pairTopic("green", "last_latency_ms"));
  ASSERT_TRUE(latency);
  EXPECT_TRUE(latency->options.retain);
  EXPECT_DOUBLE_EQ(std::stod(latency->payload), 0.4);

  EXPECT_EQ(bus_.last(pairTopic("green", "active"))->payload, "green-backup");
  EXPECT_EQ(bus_.last(pairTopic("green", "failover"))->payload, "active");
  EXPECT_EQ(bus_.last(pairTopic("green", "machine/green-main/problem"))->payload, "ON");
  EXPECT_EQ(pairState()["last_switch"], json);
  EXPECT_EQ(node_->stats().switch_events, 1u);
  EXPECT_EQ(router().blocks().size(), 1u);
}

TEST_F(NodeTest, ManualSwitchIsAnsweredOnlyAfterTheRouterConfirms) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup","transaction":"tx-1"})");
  ASSERT_EQ(router().blocks().size(), 1u);
  EXPECT_EQ(router().blocks()[0].routes, (std::vector<core::Route>{{1, 2}, {2, 2}}));
  EXPECT_FALSE(bus_.last(pairTopic("green", "response/switch")));

  router().acknowledge(0, clock_.monotonicNow());
  EXPECT_FALSE(bus_.last(pairTopic("green", "response/switch"))) << "an ACK is not a confirmation";

  routerApplied({{1, 2}, {2, 2}});
  const auto response = bus_.last(pairTopic("green", "response/switch"));
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->options.retain);
  const Json json = Json::parse(response->payload);
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["transaction"], "tx-1");
  EXPECT_EQ(json["data"]["event"]["event_type"], "manual_switch");
  EXPECT_EQ(json["data"]["event"]["transaction"], "tx-1");
  EXPECT_EQ(json["data"]["event"]["to"], "green-backup");
  EXPECT_EQ(bus_.count(pairTopic("green", "response/switch")), 1u);
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "event")))["event_type"], "manual_switch");
}

TEST_F(NodeTest, SwapAndSetActiveTopicsSwitch) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "set/swap"), "PRESS");
  ASSERT_EQ(router().blocks().size(), 1u);
  EXPECT_EQ(router().blocks()[0].routes, (std::vector<core::Route>{{1, 2}, {2, 2}}));
  routerApplied({{1, 2}, {2, 2}});
  send(pairTopic("green", "set/active"), "green-main");
  ASSERT_EQ(router().blocks().size(), 2u);
  EXPECT_EQ(router().blocks()[1].routes, (std::vector<core::Route>{{1, 1}, {2, 1}}));
  // Set topics have no response topic.
  for (const auto& published : bus_.published()) {
    EXPECT_EQ(published.topic.find("/response/"), std::string::npos) << published.topic;
  }
}

TEST_F(NodeTest, ResponseTopicIsHonouredOnlyUnderAllowedPrefixes) {
  build(kOnePairYaml);
  settle();
  ports::BusMessage message;
  message.topic = pairTopic("green", "request/get_state");
  message.payload = R"({"transaction":"g-1"})";
  message.response_topic = "clients/desk-3/reply";
  message.correlation_data = "corr-\x01\x02";
  bus_.inject(message);

  const auto standard = bus_.last(pairTopic("green", "response/get_state"));
  ASSERT_TRUE(standard);
  const auto custom = bus_.last("clients/desk-3/reply");
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->payload, standard->payload);
  EXPECT_EQ(custom->options.correlation_data, "corr-\x01\x02");
  EXPECT_FALSE(custom->options.retain);
  const Json json = Json::parse(custom->payload);
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["transaction"], "g-1");
  EXPECT_EQ(json["data"]["state"]["pair"], "green");

  bus_.clear();
  message.response_topic = "elsewhere/clients/desk-3/reply";
  message.payload = R"({"transaction":"g-2"})";
  bus_.inject(message);
  EXPECT_TRUE(bus_.last(pairTopic("green", "response/get_state")));
  EXPECT_EQ(bus_.published().size(), 1u) << "only the standard response topic";
}

// A Response Topic must not hold wildcards (MQTT 5 3.3.2.3.5); publishing to one makes the
// broker drop the node's connection. The node publishes to any Response Topic under an
// allowed prefix, wildcards included (see the report).
TEST_F(NodeTest, WildcardResponseTopicIsNotUsed) {
  build(kOnePairYaml);
  settle();
  for (const std::string topic : {"clients/+/reply", "clients/#"}) {
    ports::BusMessage message;
    message.topic = pairTopic("green", "request/get_state");
    message.response_topic = topic;
    bus_.inject(message);
    EXPECT_TRUE(bus_.last(pairTopic("green", "response/get_state"))) << topic;
    EXPECT_FALSE(bus_.last(topic)) << topic;
  }
}

TEST_F(NodeTest, RetainedCommandsAreDropped) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "set/mode"), "manual", /*retained=*/true);
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup"})", /*retained=*/true);
  EXPECT_TRUE(router().blocks().empty());
  EXPECT_TRUE(statePublishes().empty());
  EXPECT_EQ(node_->engineForTest().pairView("green")->mode, config::FailoverMode::Auto);
  EXPECT_EQ(node_->stats().commands, 0u);
  EXPECT_EQ(node_->stats().rejected.at("retained_command"), 2u);
}

TEST_F(NodeTest, DuplicateTransactionIsAnsweredAgainWithoutASecondBlock) {
  build(kOnePairYaml);
  settle();
  const std::string request = R"({"target":"other","transaction":"dup-1"})";
  send(pairTopic("green", "request/switch"), request);
  ASSERT_EQ(router().blocks().size(), 1u);
  routerApplied({{1, 2}, {2, 2}});
  const auto first = bus_.last(pairTopic("green", "response/switch"));
  ASSERT_TRUE(first);

  runTo(nowMs() + 30'000);
  send(pairTopic("green", "request/switch"), request);
  EXPECT_EQ(router().blocks().size(), 1u) << "a repeated request must not switch back";
  EXPECT_EQ(bus_.count(pairTopic("green", "response/switch")), 2u);
  EXPECT_EQ(bus_.last(pairTopic("green", "response/switch"))->payload, first->payload);
  EXPECT_EQ(node_->stats().duplicate_commands, 1u);

  // After the window the same transaction is a new command.
  runTo(nowMs() + 31'000);
  send(pairTopic("green", "request/switch"), request);
  ASSERT_EQ(router().blocks().size(), 2u);
  EXPECT_EQ(router().blocks()[1].routes, (std::vector<core::Route>{{1, 1}, {2, 1}}));
}

TEST_F(NodeTest, NumericTransactionIsEchoed) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/arm"), R"({"transaction":1234})");
  const Json json = parsed(bus_.last(pairTopic("green", "response/arm")));
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["transaction"], "1234");
}

TEST_F(NodeTest, BadRequestAndUnknownPairAreAnswered) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/set_mode"), R"({"mode":"sometimes","transaction":"b-1"})");
  const Json bad = parsed(bus_.last(pairTopic("green", "response/set_mode")));
  EXPECT_EQ(bad["status"], "error");
  EXPECT_EQ(bad["code"], "bad_request");
  EXPECT_EQ(bad["error"], "set_mode needs {\"mode\":\"auto\"} or {\"mode\":\"manual\"}");
  EXPECT_EQ(bad["transaction"], "b-1");

  send(pairTopic("green", "request/switch"), "{not json");
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "response/switch")))["code"], "bad_request");

  send(pairTopic("red", "request/get_state"), R"({"transaction":"u-1"})");
  const Json unknown = parsed(bus_.last(pairTopic("red", "response/get_state")));
  EXPECT_EQ(unknown["status"], "error");
  EXPECT_EQ(unknown["code"], "unknown_pair");
  EXPECT_EQ(unknown["transaction"], "u-1");
  EXPECT_TRUE(router().blocks().empty());
  EXPECT_EQ(node_->stats().commands, 3u);
}

TEST_F(NodeTest, EngineRefusalIsAnsweredWithItsCode) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/switch"), R"({"target":"nobody","transaction":"r-1"})");
  const Json json = parsed(bus_.last(pairTopic("green", "response/switch")));
  EXPECT_EQ(json["status"], "error");
  EXPECT_EQ(json["code"], "unknown_target");
  EXPECT_EQ(json["transaction"], "r-1");
}

TEST_F(NodeTest, GarbageHealthIsCountedAndChangesNothing) {
  build(kOnePairYaml);
  settle();
  const auto view_before = node_->engineForTest().pairView("green");
  send("render/green-main/engine", "{{{");
  send("render/green-main/engine", "[1,2]");
  send("render/green-main/videoio", "purple");
  send("render/green-main/network", std::string(kMaxHealthPayloadBytes + 1, ' '));
  send("render/green-main/status", "\xff\xfe\x00garbage");
  EXPECT_EQ(node_->stats().rejected.at("invalid_json"), 1u);
  EXPECT_EQ(node_->stats().rejected.at("wrong_type"), 1u);
  EXPECT_EQ(node_->stats().rejected.at("unknown_status"), 2u);
  EXPECT_EQ(node_->stats().rejected.at("too_large"), 1u);
  EXPECT_TRUE(statePublishes().empty());
  EXPECT_EQ(node_->engineForTest().pairView("green"), view_before);
  const Json stats = parsed(bus_.last("failover/fo1/node/stats"));
  EXPECT_EQ(stats["rejected"]["invalid_json"], 1);
  EXPECT_EQ(stats["mqtt"]["refused"], 0);
  send("some/other/topic", "ok");
  EXPECT_EQ(node_->stats().unknown_topics, 1u);
}

TEST_F(NodeTest, GarbageIsNotAHeartbeat) {
  build(kOnePairYaml);
  settle();
  alive_.erase("green-main");
  const int64_t last_beat = nowMs() - 100;  // settle's beats run on whole 100 ms steps
  for (int i = 0; i < 5; ++i) {
    send("render/green-main/engine", "nonsense");
    runTo(nowMs() + 100);
    if (!router().blocks().empty()) {
      break;
    }
  }
  ASSERT_FALSE(router().blocks().empty()) << "the Main went stale despite the garbage";
  EXPECT_LE(nowMs(), last_beat + 600);
}

TEST_F(NodeTest, SynchronousRouterAnswerInsideSendRoutesWorks) {
  build(kOnePairYaml);
  settle();
  router().onBlock([this](std::size_t index) {
    routerApplied(router().blocks()[index].routes);  // the update first, as a real router may
    router().acknowledge(index, clock_.monotonicNow());
  });
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup","transaction":"s-1"})");
  ASSERT_EQ(router().blocks().size(), 1u);
  const auto response = bus_.last(pairTopic("green", "response/switch"));
  ASSERT_TRUE(response);
  EXPECT_EQ(Json::parse(response->payload)["status"], "ok");
  EXPECT_EQ(bus_.last(pairTopic("green", "active"))->payload, "green-backup");
  EXPECT_EQ(pairState()["failover"], "active");

  // Once the operator's choice has held for the minimum dwell, a failing Backup with a
  // healthy Main fails over back, again answered inside sendRoutes.
  runTo(nowMs() + 5100);
  ASSERT_EQ(router().blocks().size(), 1u);
  alive_.erase("green-backup");
  send("render/green-backup/videoio", "fail");
  ASSERT_EQ(router().blocks().size(), 2u);
  EXPECT_EQ(router().blocks()[1].routes, (std::vector<core::Route>{{1, 1}, {2, 1}}));
  EXPECT_EQ(bus_.last(pairTopic("green", "active"))->payload, "green-main");
}

TEST_F(NodeTest, EngineTimerIsReArmedAndStaleDetectionFires) {
  build(kOnePairYaml);
  settle();
  EXPECT_TRUE(timer_.deadline());
  core::MonoTime block_at{};
  router().onBlock([&](std::size_t) { block_at = clock_.monotonicNow(); });
  alive_.erase("green-main");
  const int64_t last_beat = nowMs();  // runTo(2500) beat at exactly 2500
  runTo(last_beat + 600);
  ASSERT_EQ(router().blocks().size(), 1u) << "the Main went silent: stale, failover";
  EXPECT_EQ(router().blocks()[0].routes, (std::vector<core::Route>{{1, 2}, {2, 2}}));
  EXPECT_EQ(block_at, t0_ + std::chrono::milliseconds(last_beat + 500));
  routerApplied({{1, 2}, {2, 2}});
  const Json event = parsed(bus_.last(pairTopic("green", "event")));
  EXPECT_EQ(event["trigger"]["status"], "stale");
  EXPECT_EQ(event["trigger"]["machine"], "green-main");
}

TEST_F(NodeTest, UnconfirmedSwitchTimesOutThroughTheTimer) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup","transaction":"t-o"})");
  ASSERT_EQ(router().blocks().size(), 1u);
  router().acknowledge(0, clock_.monotonicNow());  // ACKed, never confirmed
  runTo(nowMs() + 1500);
  const Json json = parsed(bus_.last(pairTopic("green", "response/switch")));
  EXPECT_EQ(json["status"], "error");
  EXPECT_EQ(json["code"], "router_timeout");
  EXPECT_EQ(json["transaction"], "t-o");
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "event")))["event_type"], "switch_failed");
}

TEST_F(NodeTest, RefusedBlockFailsTheSwitch) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup"})");
  ASSERT_EQ(router().blocks().size(), 1u);
  router().refuse(0, core::BlockRefusal::Locked, "output 2 locked by another client");
  const Json json = parsed(bus_.last(pairTopic("green", "response/switch")));
  EXPECT_EQ(json["status"], "error");
  EXPECT_EQ(json["code"], "not_allowed");
}

TEST_F(NodeTest, ChangedSettingsAreSavedThroughTheRunStateStore) {
  build(kOnePairYaml);
  settle();
  EXPECT_TRUE(store_.saved().empty());
  send(pairTopic("green", "set/mode"), "manual");
  ASSERT_EQ(store_.saved().size(), 1u);
  EXPECT_EQ(store_.saved().back().pairs.at("green").mode, config::FailoverMode::Manual);
  EXPECT_EQ(store_.saved().back(), node_->engineForTest().runState());
  EXPECT_EQ(bus_.last(pairTopic("green", "mode"))->payload, "manual");
  const Json audit = parsed(bus_.last(pairTopic("green", "audit")));
  EXPECT_EQ(audit["setting"], "mode");
  EXPECT_EQ(audit["to"], "manual");

  send(pairTopic("green", "set/armed"), "OFF");
  ASSERT_EQ(store_.saved().size(), 2u);
  EXPECT_EQ(store_.saved().back().pairs.at("green").armed, false);
  // The same value again changes nothing, and nothing is saved.
  send(pairTopic("green", "set/armed"), "OFF");
  EXPECT_EQ(store_.saved().size(), 2u);
}

TEST_F(NodeTest, ManualModeDoesNotFailOver) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "set"), R"({"mode":"manual"})");
  alive_.erase("green-main");
  send("render/green-main/engine", "fail");
  EXPECT_TRUE(router().blocks().empty());
  EXPECT_EQ(pairState()["switch_advised"], true);
  EXPECT_EQ(bus_.last(pairTopic("green", "switch_advised"))->payload, "ON");
}

TEST_F(NodeTest, HomeAssistantOnlineResendsDiscovery) {
  build(kOnePairYaml, {"1.2.3",
                       "abc",
                       {{"homeassistant/device/failover_fo1/config", R"({"dev":1})"},
                        {"homeassistant/device/failover_fo1_green/config", R"({"dev":2})"}}});
  settle();
  send("homeassistant/status", "online");
  ASSERT_EQ(bus_.published().size(), 2u);
  EXPECT_EQ(bus_.published()[0].topic, "homeassistant/device/failover_fo1/config");
  EXPECT_EQ(bus_.published()[0].payload, R"({"dev":1})");
  EXPECT_TRUE(bus_.published()[0].options.retain);
  EXPECT_EQ(bus_.published()[1].topic, "homeassistant/device/failover_fo1_green/config");
  EXPECT_TRUE(bus_.published()[1].options.retain);
  bus_.clear();
  send("homeassistant/status", "offline");
  EXPECT_TRUE(bus_.published().empty());
}

TEST_F(NodeTest, BrokerLossSuspendsAutomaticFailover) {
  build(kOnePairYaml);
  settle();
  bus_.lose();
  alive_.clear();  // nothing arrives while the node is cut off
  runTo(nowMs() + 3000);
  EXPECT_TRUE(router().blocks().empty());
}

TEST_F(NodeTest, LastEventIsRepublishedAfterAReconnect) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "set/swap"), "PRESS");
  routerApplied({{1, 2}, {2, 2}});
  const auto event = bus_.last(pairTopic("green", "event"));
  ASSERT_TRUE(event);
  bus_.lose();
  bus_.clear();
  bus_.connect();
  const auto last_event = bus_.last(pairTopic("green", "last_event"));
  ASSERT_TRUE(last_event);
  EXPECT_TRUE(last_event->options.retain);
  EXPECT_EQ(last_event->payload, event->payload);
  EXPECT_FALSE(bus_.last(pairTopic("green", "event"))) << "the event itself is not repeated";
}

TEST_F(NodeTest, SwitchToTheActiveMachineIsAnsweredAtOnce) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/switch"), R"({"target":"green-main","transaction":"n-1"})");
  EXPECT_TRUE(router().blocks().empty());
  const Json json = parsed(bus_.last(pairTopic("green", "response/switch")));
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["transaction"], "n-1");
}

TEST_F(NodeTest, GetStateAnswersWithThePublishedState) {
  build(kOnePairYaml);
  node_->start();
  bus_.connect();
  routerShowsMains();
  const Json state = pairState();
  send(pairTopic("green", "request/get_state"), "");
  const Json json = parsed(bus_.last(pairTopic("green", "response/get_state")));
  EXPECT_EQ(json["status"], "ok");
  EXPECT_TRUE(json["transaction"].is_null());
  EXPECT_EQ(json["data"]["state"], state);
}

TEST_F(NodeTest, AuditEventsAreNotRetained) {
  build(kOnePairYaml);
  settle();
  send(pairTopic("green", "request/disarm"), R"({"transaction":"d-1"})");
  const auto audit = bus_.last(pairTopic("green", "audit"));
  ASSERT_TRUE(audit);
  EXPECT_FALSE(audit->options.retain);
  const Json json = Json::parse(audit->payload);
  EXPECT_EQ(json["setting"], "armed");
  EXPECT_EQ(json["from"], "ON");
  EXPECT_EQ(json["to"], "OFF");
  EXPECT_EQ(json["transaction"], "d-1");
  EXPECT_EQ(bus_.last(pairTopic("green", "armed"))->payload, "OFF");
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "response/disarm")))["status"], "ok");
}

TEST_F(NodeTest, WithoutARunStateStoreSettingsStillChange) {
  build(kOnePairYaml, {"1.2.3", "abc123", {}}, "", false, /*with_store=*/false);
  settle();
  send(pairTopic("green", "set/mode"), "manual");
  EXPECT_EQ(bus_.last(pairTopic("green", "mode"))->payload, "manual");
  send(pairTopic("green", "set/mode"), "auto");
  EXPECT_EQ(bus_.last(pairTopic("green", "mode"))->payload, "auto");
}

TEST_F(NodeTest, RouterEnableOverMqttLeavesOrConnectsTheRouterAndIsSaved) {
  build(kOnePairYaml);
  settle();
  send(base() + "/router/vh1/set/enabled", "OFF");
  EXPECT_EQ(router().enabledCalls(), std::vector<bool>{false});
  ASSERT_FALSE(store_.saved().empty());
  EXPECT_EQ(store_.saved().back().routers.at("vh1").enabled, false);
  const Json audit = parsed(bus_.last(base() + "/router/vh1/audit"));
  EXPECT_EQ(audit["setting"], "router_enabled");
  EXPECT_EQ(audit["router"], "vh1");
  EXPECT_EQ(audit["from"], "ON");
  EXPECT_EQ(audit["to"], "OFF");
  EXPECT_EQ(audit["requested_by"], "mqtt");
  EXPECT_FALSE(bus_.last(base() + "/router/vh1/audit")->options.retain);
  Json state = pairState();
  ASSERT_FALSE(state["warnings"].empty());
  EXPECT_EQ(state["warnings"][0]["code"], "router_disabled");
  EXPECT_EQ(state["router"]["enabled"], false);
  // While disabled, a switch is refused and nothing is sent.
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup"})");
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "response/switch")))["code"], "not_allowed");
  EXPECT_TRUE(router().blocks().empty());

  send(base() + "/router/vh1/set/enabled",
       R"({"enabled":true,"requested_by":"ha","transaction":"en-1"})");
  EXPECT_EQ(router().enabledCalls(), (std::vector<bool>{false, true}));
  EXPECT_EQ(store_.saved().back().routers.at("vh1").enabled, true);
  const Json enabled = parsed(bus_.last(base() + "/router/vh1/audit"));
  EXPECT_EQ(enabled["to"], "ON");
  EXPECT_EQ(enabled["requested_by"], "ha");
  EXPECT_EQ(enabled["transaction"], "en-1");
  EXPECT_EQ(pairState()["router"]["enabled"], true);
  // Switched again once the router, reconnected, shows its routing.
  routerShowsMains();
  send(pairTopic("green", "set/swap"), "PRESS");
  EXPECT_EQ(router().blocks().size(), 1u);
}

TEST_F(NodeTest, RouterCommandsThatCannotBeObeyedChangeNothing) {
  build(kOnePairYaml);
  settle();
  send(base() + "/router/vh9/set/enabled", "OFF");    // no such router
  send(base() + "/router/vh1/set/enabled", "maybe");  // not ON or OFF
  send(base() + "/router/vh1/set/enabled", "OFF", /*retained=*/true);
  EXPECT_TRUE(router().enabledCalls().empty());
  EXPECT_TRUE(store_.saved().empty());
  EXPECT_FALSE(bus_.last(base() + "/router/vh1/audit"));
  EXPECT_FALSE(bus_.last(base() + "/router/vh9/audit"));
  EXPECT_EQ(node_->stats().rejected.at("retained_command"), 1u);
  EXPECT_EQ(node_->stats().commands, 2u);
  EXPECT_TRUE(node_->engineForTest().runState().routers.at("vh1").enabled.value_or(false));
}

TEST_F(NodeTest, RepeatedRouterTransactionIsNotActedOnTwice) {
  build(kOnePairYaml);
  settle();
  send(base() + "/router/vh1/set/enabled", R"({"enabled":false,"transaction":"r-1"})");
  send(base() + "/router/vh1/set/enabled", R"({"enabled":false,"transaction":"r-1"})");
  EXPECT_EQ(router().enabledCalls(), std::vector<bool>{false});
  EXPECT_EQ(node_->stats().duplicate_commands, 1u);
}

TEST_F(NodeTest, HealthOfAnUnknownMachineIsIgnored) {
  build(kOnePairYaml);
  settle();
  send("render/red-main/engine", "fail");
  EXPECT_EQ(node_->stats().unknown_topics, 1u);
  EXPECT_TRUE(bus_.published().empty());
  EXPECT_TRUE(router().blocks().empty());
}

TEST_F(NodeTest, CountersAreRefreshedEveryFewSecondsWhileMessagesFlow) {
  build(kOnePairYaml);
  settle();
  for (int i = 0; i < 5; ++i) {
    send("render/green-main/engine", "{{{");
  }
  EXPECT_EQ(node_->stats().rejected.at("invalid_json"), 5u);
  const size_t before = bus_.count("failover/fo1/node/stats");
  runTo(nowMs() + 10'000);  // heartbeats keep arriving
  EXPECT_GE(bus_.count("failover/fo1/node/stats"), before + 4) << "about one refresh per 2 s";
  send("render/green-main/engine", "{{{");
  runTo(nowMs() + 2'100);
  EXPECT_EQ(parsed(bus_.last("failover/fo1/node/stats"))["rejected"]["invalid_json"], 6);
  EXPECT_TRUE(bus_.last("failover/fo1/node/stats")->options.retain);
}

TEST_F(NodeTest, NoFailoverDuringTheReconnectGrace) {
  build(kOnePairYaml);
  settle();
  bus_.lose();
  alive_.clear();
  runTo(nowMs() + 3000);
  bus_.connect();
  // Only the Backup's messages have arrived yet: the Main looks stale, but the node has just
  // come back and waits.
  send("render/green-backup/status", "online", true);
  alive_.insert("green-backup");
  runTo(nowMs() + 300);
  EXPECT_TRUE(router().blocks().empty());
}

// A broker that is away when the node starts is the same as a lost one: until the first
// connect nothing can arrive, and after it the node waits out the reconnect grace before
// acting. Node::start() never tells the engine the bus is down (the engine assumes it up
// from construction), so the first connect is no change to the engine, no grace starts, and
// a Backup whose messages arrive before the Main's triggers a failover (see the report).
TEST_F(NodeTest, BrokerAwayAtStartGetsTheReconnectGrace) {
  build(kOnePairYaml);
  node_->start();
  routerShowsMains();
  alive_.clear();
  runTo(5000);  // the broker is unreachable for the first five seconds
  bus_.connect();
  send("render/green-backup/status", "online", true);
  send("diagnostics/green-backup/health", R"({"status":"ok"})", true);
  alive_.insert("green-backup");
  runTo(nowMs() + 300);
  EXPECT_TRUE(router().blocks().empty()) << "switched before the Main could be heard from";
}

// The audit trail: every switch, failed switch and changed setting is one JSON line with the
// same members, and who asked comes from the payload, else the MQTT 5 user property.
TEST_F(NodeTest, AutomaticFailoverIsAudited) {
  build(kOnePairYaml);
  settle();
  audit_.clear();
  alive_.erase("green-main");
  send("render/green-main/engine", R"({"status":"fail","detail":"render thread hung"})");
  EXPECT_TRUE(audit_.lines().empty()) << "nothing is audited before the router confirms";
  routerApplied({{1, 2}, {2, 2}});

  const auto lines = auditLines();
  ASSERT_EQ(lines.size(), 1u);
  const Json& line = lines[0];
  EXPECT_EQ(line["node_id"], "fo1");
  EXPECT_EQ(line["event_type"], "failover");
  EXPECT_EQ(line["pair"], "green");
  EXPECT_EQ(line["router"], "vh1");
  EXPECT_EQ(line["from"], "green-main");
  EXPECT_EQ(line["to"], "green-backup");
  EXPECT_EQ(line["reason"], "health");
  EXPECT_EQ(line["requested_by"], nullptr);
  EXPECT_EQ(line["transaction"], nullptr);
  EXPECT_EQ(line["result"], "ok");
  EXPECT_EQ(line["seq"], 1);
  EXPECT_EQ(line["trigger"]["machine"], "green-main");
  EXPECT_EQ(line["routing"]["outputs"], (Json{1, 2}));
  EXPECT_TRUE(line["ts"].is_string());
  EXPECT_EQ(line["ts"].get<std::string>().size(), 24u) << "2026-11-25T10:15:30.123Z";
}

TEST_F(NodeTest, ManualSwitchNamesWhoAskedFromTheUserProperty) {
  build(kOnePairYaml);
  settle();
  audit_.clear();
  ports::BusMessage message;
  message.topic = pairTopic("green", "request/switch");
  message.payload = R"({"target":"green-backup","transaction":"tx-9"})";
  message.requested_by = "ops:ana";
  bus_.inject(message);
  routerApplied({{1, 2}, {2, 2}});

  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "event")))["requested_by"], "ops:ana");
  const auto lines = auditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event_type"], "manual_switch");
  EXPECT_EQ(lines[0]["requested_by"], "ops:ana");
  EXPECT_EQ(lines[0]["transaction"], "tx-9");
  EXPECT_EQ(lines[0]["reason"], "manual");
}

TEST_F(NodeTest, RequestedByInThePayloadWinsOverTheUserProperty) {
  build(kOnePairYaml);
  settle();
  ports::BusMessage message;
  message.topic = pairTopic("green", "set");
  message.payload = R"({"mode":"manual","requested_by":"dashboard"})";
  message.requested_by = "ops:ana";
  bus_.inject(message);
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "audit")))["requested_by"], "dashboard");
  ASSERT_FALSE(audit_.lines().empty());
  EXPECT_EQ(auditLines().back()["requested_by"], "dashboard");
}

TEST_F(NodeTest, ChangedSettingsAreAudited) {
  build(kOnePairYaml);
  settle();
  audit_.clear();
  send(pairTopic("green", "set/mode"), "manual");
  send(pairTopic("green", "set/armed"), "OFF");
  send(base() + "/router/vh1/set/enabled", "OFF");
  const auto lines = auditLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["event_type"], "mode");
  EXPECT_EQ(lines[0]["pair"], "green");
  EXPECT_EQ(lines[0]["router"], nullptr);
  EXPECT_EQ(lines[0]["from"], "auto");
  EXPECT_EQ(lines[0]["to"], "manual");
  EXPECT_EQ(lines[0]["requested_by"], "mqtt");
  EXPECT_EQ(lines[1]["event_type"], "armed");
  EXPECT_EQ(lines[1]["to"], "OFF");
  EXPECT_EQ(lines[2]["event_type"], "router_enabled");
  EXPECT_EQ(lines[2]["pair"], nullptr);
  EXPECT_EQ(lines[2]["router"], "vh1");
  EXPECT_EQ(lines[2]["from"], "ON");
  EXPECT_EQ(lines[2]["to"], "OFF");
}

TEST_F(NodeTest, SwitchRefusedBeforeRoutingIsAuditedAsRefused) {
  build(kOnePairYaml);
  settle();
  engine::RouterObserved lost;
  lost.router = "vh1";
  lost.connected = false;
  node_->onRouterObserved(lost);
  audit_.clear();
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup","transaction":"r-2"})");
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "response/switch")))["code"],
            "router_disconnected");
  const auto lines = auditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event_type"], "switch_failed");
  EXPECT_EQ(lines[0]["result"], "refused");
  EXPECT_EQ(lines[0]["to"], "green-backup");
  EXPECT_EQ(lines[0]["transaction"], "r-2");
  EXPECT_EQ(lines[0]["requested_by"], "mqtt");
  EXPECT_EQ(lines[0]["error"]["code"], "router_disconnected");
}

TEST_F(NodeTest, SwitchTheRouterRefusesIsAuditedAsFailed) {
  build(kOnePairYaml);
  settle();
  audit_.clear();
  send(pairTopic("green", "request/switch"), R"({"target":"green-backup"})");
  router().refuse(0, core::BlockRefusal::Locked, "output 2 locked by another client");
  const auto lines = auditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event_type"], "switch_failed");
  EXPECT_EQ(lines[0]["result"], "failed");
  EXPECT_EQ(lines[0]["attempted"], "manual_switch");
  EXPECT_EQ(lines[0]["error"]["code"], "not_allowed");
}

TEST_F(NodeTest, StatsCarryTheAuditTrailCounters) {
  build(kOnePairYaml);
  node_->start();
  audit_.setCounters({7, 2, 1});
  bus_.connect();
  const Json stats = parsed(bus_.last("failover/fo1/node/stats"));
  EXPECT_EQ(stats["audit_records_written"], 7);
  EXPECT_EQ(stats["audit_records_dropped"], 2);
  EXPECT_EQ(stats["audit_write_errors"], 1);
}

class TwoPairNodeTest : public NodeTest {};

TEST_F(TwoPairNodeTest, EachPairSwitchesOnItsOwnRouter) {
  build(kTwoPairYaml);
  settle();
  EXPECT_EQ(base(), "studio/failover/fo2");
  alive_.erase("blue-main");
  send("agents/blue-main/engine/state", R"({"status":"fail"})");
  EXPECT_TRUE(router("vh1").blocks().empty());
  ASSERT_EQ(router("vh2").blocks().size(), 1u);
  EXPECT_EQ(router("vh2").blocks()[0].routes, (std::vector<core::Route>{{5, 4}}));
  routerApplied({{5, 4}}, "vh2");
  EXPECT_EQ(bus_.last(pairTopic("blue", "active"))->payload, "blue-backup");
  EXPECT_EQ(parsed(bus_.last(pairTopic("blue", "event")))["router"]["id"], "vh2");
  EXPECT_FALSE(bus_.last(pairTopic("green", "event")));
  EXPECT_FALSE(bus_.last(pairTopic("green", "state"))) << "green's state did not change";
}

TEST_F(TwoPairNodeTest, AgentOfflineIsANetworkFailure) {
  build(kTwoPairYaml);
  settle();
  send("agents/green-main/lwt", "offline", true);
  EXPECT_TRUE(router("vh1").blocks().empty()) << "an offline counts after offline_confirm_ms";
  runTo(nowMs() + 250);
  ASSERT_EQ(router("vh1").blocks().size(), 1u);
  EXPECT_EQ(router("vh1").blocks()[0].routes, (std::vector<core::Route>{{1, 2}, {2, 2}}));
  EXPECT_TRUE(router("vh2").blocks().empty());
}

TEST_F(TwoPairNodeTest, HomeAssistantDisabledIsNotSubscribed) {
  build(kTwoPairYaml, {"v", "h", {{"homeassistant/device/x/config", "{}"}}});
  node_->start();
  for (const auto& [filter, kind] : bus_.subscriptions()) {
    EXPECT_NE(filter, "homeassistant/status");
  }
  bus_.connect();
  EXPECT_FALSE(bus_.last("homeassistant/device/x/config"));
  send("homeassistant/status", "online");
  EXPECT_FALSE(bus_.last("homeassistant/device/x/config"));
}

}  // namespace
}  // namespace failover::daemon

namespace failover::daemon {
namespace {

// A router that reports its routing update and then the loss of its connection for the
// block, both from inside sendRoutes. Handled in order, the update confirms the switch and
// the report that follows changes nothing.
class OrderedAnswerTest : public NodeTest {
 protected:
  void answerUpdateThenOutcome() {
    router().onBlock([this](std::size_t index) {
      routerApplied(router().blocks()[index].routes);
      router().report(index, core::BlockConnectionLost{"no ACK within 2000 ms"});
    });
  }
};

TEST_F(OrderedAnswerTest, EventsFromAHealthMessageAreHandledInOrder) {
  build(kOnePairYaml);
  settle();
  answerUpdateThenOutcome();
  alive_.erase("green-main");
  send("render/green-main/engine", "fail");
  ASSERT_EQ(router().blocks().size(), 1u);
  EXPECT_EQ(parsed(bus_.last(pairTopic("green", "event")))["event_type"], "failover");
}

// The same from the engine timer (a Main gone stale): Node's timer callback takes the first
// queued event out and dispatch() appends it behind the others, so the report is handled
// before the update and the confirmed switch is reported as switch_failed (see the report).
TEST_F(OrderedAnswerTest, EventsFromTheEngineTimerAreHandledInOrder) {
  build(kOnePairYaml);
  settle();
  answerUpdateThenOutcome();
  alive_.erase("green-main");
  runTo(nowMs() + 600);
  ASSERT_EQ(router().blocks().size(), 1u);
  const auto events = bus_.on(pairTopic("green", "event"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(Json::parse(events.front().payload)["event_type"], "failover");
}

}  // namespace
}  // namespace failover::daemon

namespace failover::daemon {
namespace {

class MissingRouterTest : public NodeTest {};

TEST_F(MissingRouterTest, ASwitchWithoutARouterPortFailsCleanly) {
  build(kTwoPairYaml, {"v", "h", {}}, /*without_router=*/"vh2");
  settle();
  send("studio/failover/fo2/pair/blue/request/switch",
       R"({"target":"blue-backup","transaction":"m-1"})");
  runTo(nowMs() + 1500);
  const Json json = parsed(bus_.last(pairTopic("blue", "response/switch")));
  EXPECT_EQ(json["status"], "error");
  EXPECT_EQ(json["transaction"], "m-1");
  EXPECT_TRUE(router("vh2").blocks().empty());
  EXPECT_EQ(parsed(bus_.last(pairTopic("blue", "event")))["event_type"], "switch_failed");
}

TEST_F(MissingRouterTest, CommandsReachTheSecondPairUnderTheCustomBase) {
  build(kTwoPairYaml);
  settle();
  send("studio/failover/fo2/pair/blue/request/set_mode", R"({"mode":"manual"})");
  EXPECT_EQ(bus_.last("studio/failover/fo2/pair/blue/mode")->payload, "manual");
  EXPECT_EQ(parsed(bus_.last("studio/failover/fo2/pair/blue/response/set_mode"))["status"], "ok");
  EXPECT_FALSE(bus_.last("studio/failover/fo2/pair/green/mode"));
}

}  // namespace
}  // namespace failover::daemon

namespace failover::daemon {
namespace {

// Two pairs on one router: when both Mains go silent together, both pairs switch in ONE
// routing block.
constexpr const char* kSharedRouterYaml = R"(
node_id: fo3
homeassistant: { enabled: false }
health: { stale_after_ms: 500, startup_grace_ms: 2000 }
routers:
  vh1: { address: 127.0.0.1:9990 }
machines:
  a-main:   { input: 1 }
  a-backup: { input: 2 }
  b-main:   { input: 3 }
  b-backup: { input: 4 }
pairs:
  a: { router: vh1, main: a-main, backup: a-backup, outputs: [1, 2] }
  b: { router: vh1, main: b-main, backup: b-backup, outputs: [3] }
)";

class SharedRouterTest : public NodeTest {};

TEST_F(SharedRouterTest, PairsFailingTogetherShareOneBlock) {
  build(kSharedRouterYaml);
  settle();
  alive_.erase("a-main");
  alive_.erase("b-main");
  runTo(nowMs() + 600);
  ASSERT_EQ(router().blocks().size(), 1u);
  EXPECT_EQ(router().blocks()[0].routes, (std::vector<core::Route>{{1, 2}, {2, 2}, {3, 4}}));
  routerApplied({{1, 2}, {2, 2}, {3, 4}});
  EXPECT_EQ(parsed(bus_.last("failover/fo3/pair/a/event"))["event_type"], "failover");
  EXPECT_EQ(parsed(bus_.last("failover/fo3/pair/b/event"))["event_type"], "failover");
  EXPECT_EQ(bus_.last("failover/fo3/pair/a/active")->payload, "a-backup");
  EXPECT_EQ(bus_.last("failover/fo3/pair/b/active")->payload, "b-backup");
}

}  // namespace
}  // namespace failover::daemon

namespace failover::daemon {
namespace {

// Cluster mode (SPEC 8.1): what a standby does and does not do, and the fence.
class StandbyNodeTest : public NodeTest {
 protected:
  static constexpr const char* kC = "failover/studio";

  void buildStandby() {
    build(std::string(kOnePairYaml) + "cluster: { id: studio, rank: 2 }\n");
    settle();
  }
};

TEST_F(StandbyNodeTest, AStandbyPublishesItsOwnTopicsOnlyAndLeavesCommandsAlone) {
  buildStandby();
  bus_.lose();
  bus_.connect();  // everything is published again on a connect
  EXPECT_EQ(bus_.count(std::string(kC) + "/pair/green/state"), 0u);
  EXPECT_EQ(bus_.count(std::string(kC) + "/router/vh1/state"), 0u);
  EXPECT_TRUE(bus_.last(std::string(kC) + "/nodes/fo1/info"));
  send(std::string(kC) + "/pair/green/request/switch", R"({"target":"green-backup"})");
  EXPECT_EQ(bus_.count(std::string(kC) + "/pair/green/response/switch"), 0u);
  EXPECT_TRUE(router().blocks().empty());
  EXPECT_EQ(node_->stats().commands_left_to_active, 1u);
}

TEST_F(StandbyNodeTest, AStandbyFollowsTheModeTheNodeInChargePublishes) {
  buildStandby();
  send(std::string(kC) + "/pair/green/mode", "manual", true);
  EXPECT_EQ(node_->engineForTest().runState().pairs.at("green").mode, config::FailoverMode::Manual);
}

TEST_F(StandbyNodeTest, ComingIntoChargePublishesThePairsAndActsFromTheNextEvent) {
  buildStandby();
  node_->setInCharge(true, "startup");
  EXPECT_EQ(parsed(bus_.last(std::string(kC) + "/pair/green/state"))["active"], "green-main");
  send(std::string(kC) + "/pair/green/request/switch", R"({"target":"green-backup"})");
  EXPECT_EQ(router().blocks().size(), 1u);
}

TEST_F(StandbyNodeTest, AClosedFenceStopsTheBlockEvenWhileTheNodeBelievesItIsInCharge) {
  may_route_ = [] {
    return false;
  };
  buildStandby();
  node_->setInCharge(true, "startup");
  send(std::string(kC) + "/pair/green/request/switch", R"({"target":"green-backup"})");
  EXPECT_TRUE(router().blocks().empty());
  EXPECT_EQ(node_->stats().fenced_blocks, 1u);
  const Json answer = parsed(bus_.last(std::string(kC) + "/pair/green/response/switch"));
  EXPECT_EQ(answer["status"], "error");
}

}  // namespace
}  // namespace failover::daemon
