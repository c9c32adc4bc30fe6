// ClusterBus driven through the fake bus, timer and manual clock of the daemon's tests. A tiny
// in-test relay plays the broker: what a node publishes on a heartbeat topic is delivered to
// every connected node, its sender included, after the clock has moved.

#include "failover/cluster_bus/cluster_bus.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fake_ports.h"

namespace failover::cluster_bus {
namespace {

using failover::testing::FakeMessageBus;
using failover::testing::FakeTimer;
using failover::testing::ManualTimeSource;

constexpr const char* kBase = "failover/studio";

struct TestNode {
  TestNode(const std::string& id, int rank, uint64_t instance, ManualTimeSource& clock) {
    ClusterBusSettings settings;
    settings.cluster_base = kBase;
    settings.response_topic_prefixes = {"clients/"};
    settings.election.node_id = id;
    settings.election.rank = rank;
    settings.instance = instance;
    ClusterBusCallbacks callbacks;
    callbacks.on_fence = [this](bool open, const std::string&) {
      fence_calls.push_back(open);
    };
    callbacks.on_problem = [this](const cluster::Problem& problem) {
      problems.push_back(problem.kind);
    };
    adapter = std::make_unique<ClusterBus>(settings, bus, timer, clock, callbacks);
    bus.setHandlers({[this] { adapter->onBusConnected(); },
                     [this](const std::string&) { adapter->onBusLost(); },
                     [this](const ports::BusMessage& message) {
                       const bool node_state =
                           message.topic.size() > 6 &&
                           message.topic.compare(message.topic.size() - 6, 6, "/state") == 0;
                       // Node states are read, and left to the discovery's roster too.
                       EXPECT_EQ(adapter->onBusMessage(message), !node_state) << message.topic;
                     }});
  }
  bool fenceReported() const { return !fence_calls.empty() && fence_calls.back(); }

  FakeMessageBus bus;
  FakeTimer timer;
  std::unique_ptr<ClusterBus> adapter;
  std::vector<bool> fence_calls;
  std::vector<cluster::ProblemKind> problems;
  std::size_t relayed = 0;  // publishes of `bus` already handed to the relay
  bool cut = false;         // its messages no longer reach the broker, nor the broker's it
};

class ClusterBusTest : public ::testing::Test {
 protected:
  TestNode& add(const std::string& id, int rank, uint64_t instance) {
    nodes_.push_back(std::make_unique<TestNode>(id, rank, instance, clock_));
    return *nodes_.back();
  }

  // Moves time on in steps of 5 ms for `ms`: fires due timers and relays heartbeats.
  // After every step, at most one node may be allowed to route.
  void run(int ms) {
    for (int elapsed = 0; elapsed < ms; elapsed += 5) {
      clock_.advanceMs(5);
      for (auto& node : nodes_) {
        node->timer.fireIfDue(clock_.monotonicNow());
      }
      relay();
      int open = 0;
      for (auto& node : nodes_) {
        open += node->adapter->fenceOpen() ? 1 : 0;
      }
      ASSERT_LE(open, 1) << "two nodes may route at once";
    }
  }

  void relay() {
    for (auto& from : nodes_) {
      const auto& published = from->bus.published();
      for (; from->relayed < published.size(); ++from->relayed) {
        const auto& item = published[from->relayed];
        if (from->cut || item.topic.find("/heartbeat") == std::string::npos) {
          continue;
        }
        for (auto& to : nodes_) {
          if (!to->cut && to->bus.connected()) {
            to->bus.inject(item.topic, item.payload);
          }
        }
      }
    }
  }

  ManualTimeSource clock_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

TEST_F(ClusterBusTest, StartSubscribesAndPublishesStandbyAndArmsTheTimer) {
  auto& node = add("fo1", 1, 0x11);
  node.adapter->start();
  ASSERT_EQ(node.bus.subscriptions().size(), 3u);
  EXPECT_EQ(node.bus.subscriptions()[0],
            std::make_pair(std::string("failover/studio/nodes/+/heartbeat"),
                           ports::SubscriptionKind::State));
  EXPECT_EQ(
      node.bus.subscriptions()[1],
      std::make_pair(std::string("failover/studio/nodes/+/state"), ports::SubscriptionKind::State));
  EXPECT_EQ(node.bus.subscriptions()[2],
            std::make_pair(std::string("failover/studio/cluster/request/handover"),
                           ports::SubscriptionKind::Command));
  const auto role = node.bus.last("failover/studio/nodes/fo1/role");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->payload, "standby");
  EXPECT_TRUE(role->options.retain);
  EXPECT_FALSE(node.adapter->fenceOpen());

  node.bus.connect();
  const auto state = node.bus.last("failover/studio/nodes/fo1/state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->payload, "online");
  EXPECT_TRUE(state->options.retain);
  // The first heartbeat goes out at once and the timer waits for the next one.
  const auto heartbeat = node.bus.last("failover/studio/nodes/fo1/heartbeat");
  ASSERT_TRUE(heartbeat);
  EXPECT_FALSE(heartbeat->options.retain);
  EXPECT_EQ(heartbeat->options.qos, 1);
  EXPECT_TRUE(node.timer.deadline().has_value());
}

TEST_F(ClusterBusTest, ALoneNodeTakesControlAndAnnouncesIt) {
  auto& node = add("fo1", 1, 0x11);
  node.adapter->start();
  node.bus.connect();
  run(1500);

  EXPECT_TRUE(node.adapter->fenceOpen());
  EXPECT_TRUE(node.fenceReported());
  EXPECT_EQ(node.bus.last("failover/studio/nodes/fo1/role")->payload, "active");
  const auto active = node.bus.last("failover/studio/cluster/active");
  ASSERT_TRUE(active);
  EXPECT_EQ(active->payload, "fo1");
  EXPECT_TRUE(active->options.retain);
  ASSERT_EQ(node.bus.count("failover/studio/cluster/event"), 1u);
  const auto event = nlohmann::json::parse(node.bus.last("failover/studio/cluster/event")->payload);
  EXPECT_EQ(event["event_type"], "takeover");
  EXPECT_EQ(event["to"], "fo1");
  EXPECT_EQ(event["reason"], "startup");
  EXPECT_TRUE(event["from"].is_null());
  EXPECT_TRUE(event["ts"].is_string());
}

TEST_F(ClusterBusTest, WithoutItsOwnEchoANodeNeverRoutes) {
  auto& node = add("fo1", 1, 0x11);
  node.adapter->start();
  node.bus.connect();
  node.cut = true;  // nothing comes back from the broker
  run(2000);
  EXPECT_FALSE(node.adapter->fenceOpen());
  EXPECT_TRUE(node.fence_calls.empty());
  EXPECT_EQ(node.bus.count("failover/studio/cluster/active"), 0u);
}

TEST_F(ClusterBusTest, ALostBrokerClosesTheFenceWhenTheLeaseRunsOut) {
  auto& node = add("fo1", 1, 0x11);
  node.adapter->start();
  node.bus.connect();
  run(1500);
  ASSERT_TRUE(node.adapter->fenceOpen());

  node.bus.lose();
  run(150);  // within the lease (250 ms): still routing
  EXPECT_TRUE(node.adapter->fenceOpen());
  run(300);
  EXPECT_FALSE(node.adapter->fenceOpen());
  ASSERT_FALSE(node.fence_calls.empty());
  EXPECT_FALSE(node.fence_calls.back());
}

// kill -9: the broker publishes the will of the node in charge at once. The standby takes
// over when that node's lease is over for certain, well before takeover_after_ms of silence;
// a retained "offline" (history, read on subscribing) changes nothing.
TEST_F(ClusterBusTest, ALiveWillOfTheNodeInChargeStartsTheTakeoverAtOnce) {
  auto& first = add("fo1", 1, 0x11);
  auto& second = add("fo2", 2, 0x22);
  first.adapter->start();
  second.adapter->start();
  first.bus.connect();
  second.bus.connect();
  run(1500);
  ASSERT_TRUE(first.adapter->fenceOpen());

  second.bus.inject("failover/studio/nodes/fo1/state", "offline", true);
  run(600);
  EXPECT_TRUE(first.adapter->fenceOpen()) << "a retained will is no news";
  EXPECT_EQ(second.adapter->stats().wills_received, 0u);

  first.cut = true;  // killed: no heartbeat of it reaches anyone again
  second.bus.inject("failover/studio/nodes/fo1/state", "offline");
  EXPECT_EQ(second.adapter->stats().wills_received, 1u);
  // fo1's lease may run until 250 ms after its last heartbeat, which came at most one
  // heartbeat (100 ms) before the will.
  int waited = 0;
  while (!second.adapter->fenceOpen() && waited < 1000) {
    run(5);
    waited += 5;
  }
  EXPECT_GE(waited, 150);
  EXPECT_LE(waited, 260) << "well before takeover_after_ms (500) of silence";
  const auto event = second.bus.last("failover/studio/cluster/event");
  ASSERT_TRUE(event);
  const auto json = nlohmann::json::parse(event->payload);
  EXPECT_EQ(json["from"], "fo1");
  EXPECT_EQ(json["reason"], "active_offline");
  EXPECT_LE(json["takeover_ms"].get<int>(), 300);
}

TEST_F(ClusterBusTest, OfTwoNodesOneRoutesAndTheOtherTakesOverWhenItFallsSilent) {
  auto& first = add("fo1", 1, 0x11);
  auto& second = add("fo2", 2, 0x22);
  first.adapter->start();
  second.adapter->start();
  first.bus.connect();
  second.bus.connect();
  run(1500);
  ASSERT_TRUE(first.adapter->fenceOpen());
  EXPECT_FALSE(second.adapter->fenceOpen());
  EXPECT_EQ(second.bus.last("failover/studio/nodes/fo2/role")->payload, "standby");

  first.cut = true;
  run(1500);
  EXPECT_FALSE(first.adapter->fenceOpen());
  EXPECT_TRUE(second.adapter->fenceOpen());
  const auto event = second.bus.last("failover/studio/cluster/event");
  ASSERT_TRUE(event);
  const auto json = nlohmann::json::parse(event->payload);
  EXPECT_EQ(json["from"], "fo1");
  EXPECT_EQ(json["to"], "fo2");
  EXPECT_EQ(json["reason"], "active_silent");
  EXPECT_GT(json["term"].get<uint64_t>(), 1u);
}

TEST_F(ClusterBusTest, AHandoverRequestMovesControlAndIsAnsweredWithItsTransaction) {
  auto& first = add("fo1", 1, 0x11);
  auto& second = add("fo2", 2, 0x22);
  first.adapter->start();
  second.adapter->start();
  first.bus.connect();
  second.bus.connect();
  run(1500);
  ASSERT_TRUE(first.adapter->fenceOpen());

  const std::string request = R"({"to":"fo2","transaction":"t-7"})";
  first.bus.inject("failover/studio/cluster/request/handover", request);
  second.bus.inject("failover/studio/cluster/request/handover", request);
  EXPECT_FALSE(first.adapter->fenceOpen());  // closed before the answer
  ASSERT_EQ(first.bus.count("failover/studio/cluster/response/handover"), 1u);
  const auto answer =
      nlohmann::json::parse(first.bus.last("failover/studio/cluster/response/handover")->payload);
  EXPECT_EQ(answer["status"], "ok");
  EXPECT_EQ(answer["transaction"], "t-7");
  EXPECT_EQ(second.bus.count("failover/studio/cluster/response/handover"), 0u);

  run(1000);
  EXPECT_TRUE(second.adapter->fenceOpen());
  EXPECT_EQ(
      nlohmann::json::parse(second.bus.last("failover/studio/cluster/event")->payload)["reason"],
      "handover");
}

// Like a pair request: the answer also goes to an allowed MQTT 5 Response Topic, with the
// request's correlation data; a topic outside mqtt.response_topic_prefixes is not used.
TEST_F(ClusterBusTest, AHandoverAnswerAlsoGoesToAnAllowedResponseTopic) {
  auto& first = add("fo1", 1, 0x11);
  auto& second = add("fo2", 2, 0x22);
  first.adapter->start();
  second.adapter->start();
  first.bus.connect();
  second.bus.connect();
  run(1500);
  ASSERT_TRUE(first.adapter->fenceOpen());

  ports::BusMessage refused_elsewhere;
  refused_elsewhere.topic = "failover/studio/cluster/request/handover";
  refused_elsewhere.payload = R"({"to":"fo9"})";
  refused_elsewhere.response_topic = "elsewhere/desk-3";
  first.bus.inject(refused_elsewhere);
  EXPECT_EQ(first.bus.count("elsewhere/desk-3"), 0u);

  ports::BusMessage request;
  request.topic = "failover/studio/cluster/request/handover";
  request.payload = R"({"to":"fo2"})";
  request.response_topic = "clients/desk-3/reply";
  request.correlation_data = "c-42";
  first.bus.inject(request);
  const auto answer = first.bus.last("clients/desk-3/reply");
  ASSERT_TRUE(answer);
  EXPECT_EQ(nlohmann::json::parse(answer->payload)["status"], "ok");
  EXPECT_EQ(answer->options.correlation_data, "c-42");
}

TEST_F(ClusterBusTest, BadHandoverRequestsAreAnsweredByTheNodeInChargeOnly) {
  auto& first = add("fo1", 1, 0x11);
  auto& second = add("fo2", 2, 0x22);
  first.adapter->start();
  second.adapter->start();
  first.bus.connect();
  second.bus.connect();
  run(1500);
  ASSERT_TRUE(first.adapter->fenceOpen());

  for (auto* node : {&first, &second}) {
    node->bus.inject("failover/studio/cluster/request/handover", "{\"to\":");
    node->bus.inject("failover/studio/cluster/request/handover", R"({"to":"fo9"})");
  }
  const auto answers = first.bus.on("failover/studio/cluster/response/handover");
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(answers[0].payload)["code"], "bad_request");
  const auto refused = nlohmann::json::parse(answers[1].payload);
  EXPECT_EQ(refused["status"], "error");
  EXPECT_EQ(refused["code"], "handover_refused");
  EXPECT_NE(refused["error"].get<std::string>().find("fo9"), std::string::npos);
  EXPECT_EQ(second.bus.count("failover/studio/cluster/response/handover"), 0u);
  EXPECT_EQ(first.adapter->stats().bad_handover_requests, 1u);
  EXPECT_TRUE(first.adapter->fenceOpen());  // a refused request changes nothing
}

TEST_F(ClusterBusTest, BadHeartbeatsAreCountedAndChangeNothing) {
  auto& node = add("fo1", 1, 0x11);
  node.adapter->start();
  node.bus.connect();
  run(1500);
  ASSERT_TRUE(node.adapter->fenceOpen());
  const auto term = node.adapter->election().term();

  // A rival's claim with a higher term, malformed in three ways, and one under a topic that
  // is not its sender's.
  const std::string claim =
      R"({"node_id":"fo2","instance":"22","rank":2,"role":"active","term":99,"active":"fo2",)"
      R"("sent_ms":1})";
  node.bus.inject("failover/studio/nodes/fo2/heartbeat", "{not json");
  node.bus.inject(
      "failover/studio/nodes/fo2/heartbeat",
      R"({"node_id":"fo2","instance":"22","rank":"2","role":"active","term":99,"sent_ms":1})");
  node.bus.inject("failover/studio/nodes/fo2/heartbeat", std::string(10000, ' ') + claim);
  node.bus.inject("failover/studio/nodes/fo3/heartbeat", claim);
  // A retained heartbeat is stale evidence.
  node.bus.inject("failover/studio/nodes/fo2/heartbeat", claim, /*retained=*/true);

  EXPECT_EQ(node.adapter->stats().bad_heartbeats, 5u);
  EXPECT_TRUE(node.adapter->fenceOpen());
  EXPECT_EQ(node.adapter->election().term(), term);

  // The same claim, well formed, is read: this node stands down.
  node.bus.inject("failover/studio/nodes/fo2/heartbeat", claim);
  EXPECT_FALSE(node.adapter->fenceOpen());
}

TEST_F(ClusterBusTest, OtherTopicsAreLeftToTheCaller) {
  auto& node = add("fo1", 1, 0x11);
  node.adapter->start();
  ports::BusMessage message;
  message.topic = "failover/studio/pair/green/state";
  EXPECT_FALSE(node.adapter->onBusMessage(message));
  message.topic = "failover/studio/nodes/fo2/role";
  EXPECT_FALSE(node.adapter->onBusMessage(message));
}

TEST_F(ClusterBusTest, ADuplicateNodeIdIsReportedAndTheNewcomerIsolated) {
  auto& first = add("fo1", 1, 0x11);
  auto& twin = add("fo1", 2, 0x99);
  first.adapter->start();
  first.bus.connect();
  run(1500);
  ASSERT_TRUE(first.adapter->fenceOpen());
  twin.adapter->start();
  twin.bus.connect();
  run(1000);
  EXPECT_TRUE(first.adapter->fenceOpen());
  EXPECT_FALSE(twin.adapter->fenceOpen());
  EXPECT_EQ(twin.bus.last("failover/studio/nodes/fo1/role")->payload, "isolated");
  EXPECT_FALSE(twin.problems.empty());
}

}  // namespace
}  // namespace failover::cluster_bus
