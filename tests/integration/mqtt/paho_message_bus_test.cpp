// PahoMessageBus against a real Mosquitto on loopback. The other side of the bus is played
// by mosquitto_pub / mosquitto_sub processes: a second Paho client in one process takes
// seconds to connect (Paho C 1.3.12), and separate processes are what a facility has anyway.

#include "failover/mqtt/paho_message_bus.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <gtest/gtest.h>
#include <sys/types.h>

#include "bus_harness.h"
#include "support/free_port.h"
#include "support/mosquitto_broker.h"
#include "support/mqtt_test_client.h"
#include "support/temp_dir.h"

namespace failover::mqtt {
namespace {

using namespace std::chrono_literals;
using testing::MosquittoBroker;
using testing::MqttSubscriber;

class PahoMessageBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!broker_.start()) {
      GTEST_SKIP() << "mosquitto is not available";
    }
  }

  void TearDown() override { harness_.stop(); }

  void startBus(bool mqtt5 = true, int reconnect_min_ms = 50) {
    startBus(settingsFor(broker_.uri(), mqtt5, reconnect_min_ms));
  }
  void startBus(const BusSettings& settings) {
    harness_.start(settings);
    bus_ = &harness_.bus();
  }
  static BusSettings settingsFor(const std::string& uri, bool mqtt5 = true,
                                 int reconnect_min_ms = 50) {
    BusSettings settings;
    settings.server_uri = uri;
    settings.client_id = "failover-test";
    settings.mqtt5 = mqtt5;
    settings.state_topic = "failover/test/node/state";
    settings.reconnect_min_ms = reconnect_min_ms;
    settings.reconnect_max_ms = std::max(200, reconnect_min_ms);
    settings.reconnect_jitter = 0.0;  // exact delays: some tests time around the reconnect
    return settings;
  }

  template <typename Function>
  void runOnIo(Function function) {
    harness_.runOnIo(std::move(function));
  }

  testing::MqttEndpoint endpoint() const { return {broker_.port()}; }

  // Publishes one message with mosquitto_pub and waits for it to exit.
  void externalPublish(const std::string& topic, const std::string& payload, bool retain) {
    ASSERT_TRUE(testing::publishMessage(endpoint(), topic, payload, retain));
  }

  // Reads the first message on `topic` with mosquitto_sub (retained ones included).
  std::optional<std::string> externalRead(const std::string& topic) {
    return testing::readOnePayload(endpoint(), topic);
  }

  MosquittoBroker broker_;
  testing::BusHarness harness_;
  testing::BusRecorder& recorder_ = harness_.recorder();
  PahoMessageBus* bus_ = nullptr;
};

TEST_F(PahoMessageBusTest, ConnectsAndPublishesOnlineRetained) {
  startBus();
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  EXPECT_EQ(externalRead("failover/test/node/state"), "online");
}

TEST_F(PahoMessageBusTest, CleanStopPublishesOfflineRetained) {
  startBus();
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  runOnIo([this] { bus_->stop(2000); });
  EXPECT_EQ(externalRead("failover/test/node/state"), "offline");
}

TEST_F(PahoMessageBusTest, StateSubscriptionsGetRetainedValuesCommandsDoNot) {
  externalPublish("render/m1/status", "online", /*retain=*/true);
  externalPublish("failover/test/pair/p/set/active", "m2", /*retain=*/true);
  startBus();
  runOnIo([this] {
    bus_->subscribe("failover/test/pair/+/set/#", ports::SubscriptionKind::Command);
    bus_->subscribe("render/+/status", ports::SubscriptionKind::State);
  });
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  const auto first = recorder_.nextMessage(5s);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->topic, "render/m1/status");
  EXPECT_EQ(first->payload, "online");
  EXPECT_TRUE(first->retained);
  // A live command arrives; the retained one never did.
  externalPublish("failover/test/pair/p/set/active", "m3", /*retain=*/false);
  const auto second = recorder_.nextMessage(5s);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->topic, "failover/test/pair/p/set/active");
  EXPECT_EQ(second->payload, "m3");
  EXPECT_FALSE(second->retained);
}

// Who sent a command may come as the MQTT 5 user property requested_by; other user properties
// are not it.
TEST_F(PahoMessageBusTest, TheUserPropertyRequestedByReachesTheNode) {
  startBus();
  runOnIo(
      [this] { bus_->subscribe("failover/test/pair/+/set/#", ports::SubscriptionKind::Command); });
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  testing::MqttPublishOptions options;
  options.user_properties = {{"site", "studio-b"}, {"requested_by", "ops:ana"}};
  ASSERT_TRUE(
      testing::publishMessage(endpoint(), "failover/test/pair/p/set/active", "m2", options));
  const auto message = recorder_.nextMessage(5s);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->payload, "m2");
  EXPECT_EQ(message->requested_by, "ops:ana");

  externalPublish("failover/test/pair/p/set/active", "m3", /*retain=*/false);
  const auto plain = recorder_.nextMessage(5s);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->requested_by, "");
}

TEST_F(PahoMessageBusTest, BrokerRestartReconnectsResubscribesAndDeliversBufferedPublishes) {
  startBus();
  runOnIo([this] { bus_->subscribe("render/+/engine", ports::SubscriptionKind::State); });
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));

  broker_.stop();
  ASSERT_TRUE(recorder_.waitLosses(1, 10s));
  runOnIo([this] {
    EXPECT_FALSE(bus_->connected());
    // Published while the broker is away: buffered, delivered after the reconnect.
    bus_->publish("failover/test/pair/p/last_event", "switched", {1, true, {}});
  });
  ASSERT_TRUE(broker_.start());
  ASSERT_TRUE(recorder_.waitConnects(2, 10s));

  EXPECT_EQ(externalRead("failover/test/pair/p/last_event"), "switched");
  EXPECT_EQ(externalRead("failover/test/node/state"), "online");
  // The subscription was made again on the new connection.
  externalPublish("render/m1/engine", R"({"status":"fail"})", /*retain=*/false);
  const auto message = recorder_.nextMessage(5s);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->topic, "render/m1/engine");
}

// Mosquitto grants 20 unacknowledged QoS 1 messages by default. A burst far above that (a
// 144-pair node's state on connect) must reach the broker whole and promptly, not at the
// library's pace of one window per second.
TEST_F(PahoMessageBusTest, ABurstOfRetainedStateFarAboveTheBrokerWindowArrivesWhole) {
  constexpr int kTopics = 1500;
  startBus();
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  runOnIo([this] {
    for (int round = 0; round < 2; ++round) {
      for (int topic = 0; topic < kTopics; ++topic) {
        bus_->publish("failover/test/burst/" + std::to_string(topic), "v" + std::to_string(round),
                      {1, true, {}});
      }
    }
  });
  MqttSubscriber subscriber(endpoint(), {.filters = {"failover/test/burst/#"}, .timeout_s = 20});
  std::set<std::string> latest_topics;
  for (int line = 0; line < 2 * kTopics && static_cast<int>(latest_topics.size()) < kTopics;
       ++line) {
    const auto message = subscriber.next(20000ms);
    ASSERT_TRUE(message.has_value())
        << "only " << latest_topics.size() << " of " << kTopics << " topics carry their last value";
    if (message->payload == "v1") {
      latest_topics.insert(message->topic);
    }
  }
  EXPECT_EQ(static_cast<int>(latest_topics.size()), kTopics);
  runOnIo([this] {
    const auto& stats = bus_->stats();
    EXPECT_EQ(stats.publish_dropped, 0u);
    EXPECT_EQ(stats.waiting, 0u);
  });
}

// Messages in flight when the broker dies are sent again after the reconnect; none is lost.
TEST_F(PahoMessageBusTest, MessagesInFlightWhenTheBrokerDiesAreSentAgain) {
  startBus(/*mqtt5=*/true, /*reconnect_min_ms=*/1500);
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  // Frozen, the broker acknowledges nothing: 20 messages (its window) stay in flight.
  ASSERT_EQ(::kill(broker_.pid(), SIGSTOP), 0);
  runOnIo([this] {
    for (int i = 0; i < 30; ++i) {
      bus_->publish("failover/test/order", "e" + std::to_string(i), {1, false, {}});
    }
  });
  runOnIo([this] { EXPECT_EQ(bus_->stats().in_flight, 20u); });
  ASSERT_EQ(::kill(broker_.pid(), SIGKILL), 0);
  ASSERT_TRUE(recorder_.waitLosses(1, 10s));
  broker_.stop();
  ASSERT_TRUE(broker_.start());
  // Subscribed before the bus comes back (it waits 1.5 s before reconnecting); a probe shows
  // the subscription is in place.
  MqttSubscriber subscriber(endpoint(), {.filters = {"failover/test/order"}, .timeout_s = 15});
  std::optional<std::string> first;
  for (int attempt = 0; attempt < 50 && !first; ++attempt) {
    externalPublish("failover/test/order", "probe", /*retain=*/false);
    first = subscriber.nextPayload(100ms);
  }
  ASSERT_EQ(first, "probe");
  ASSERT_TRUE(recorder_.waitConnects(2, 10s));
  // At least once: none is missing (e0 may have reached the old broker in the moment before
  // it froze), and those that were still waiting in the bus keep their order. Those in flight
  // are sent again and may come twice, or out of order among themselves: on a loaded machine
  // Paho may still hold some of them unwritten, and sends its own copy first after the
  // reconnect.
  std::vector<int> first_arrivals;
  std::set<int> seen;
  // e1..e29 have all arrived (the set holds only numbers 0..29).
  const auto all_arrived = [&] {
    return seen.size() - seen.count(0) == 29;
  };
  for (int line_count = 0; line_count < 200 && !all_arrived(); ++line_count) {
    const auto line = subscriber.nextPayload(10000ms);
    ASSERT_TRUE(line.has_value()) << seen.size() << " of 30 arrived";
    if (*line == "probe") {
      continue;
    }
    const int number = std::stoi(line->substr(1));
    if (seen.insert(number).second) {
      first_arrivals.push_back(number);
    } else {
      EXPECT_LT(number, 20) << "only a message that was in flight may come twice";
    }
  }
  for (int i = 1; i < 30; ++i) {
    EXPECT_EQ(seen.count(i), 1u) << "e" << i << " never arrived";
  }
  std::vector<int> waiting_ones;
  std::copy_if(first_arrivals.begin(), first_arrivals.end(), std::back_inserter(waiting_ones),
               [](int number) { return number >= 20; });
  EXPECT_TRUE(std::is_sorted(waiting_ones.begin(), waiting_ones.end()));
}

// A publish the broker refuses (here: not authorised by its ACL) is dropped and counted, not
// sent again and again; what follows still gets through.
TEST_F(PahoMessageBusTest, APublishTheBrokerRefusesIsDroppedAndCounted) {
  broker_.stop();
  const testing::TempDir directory("failover-acl");
  const auto acl = directory.write("acl.conf", "topic readwrite failover/test/#\n");
  MosquittoBroker guarded("acl_file " + acl + "\n");
  ASSERT_TRUE(guarded.start());
  startBus(settingsFor(guarded.uri()));
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  runOnIo([this] {
    for (int i = 0; i < 50; ++i) {
      bus_->publish("elsewhere/denied", std::to_string(i), {1, false, {}});
    }
    bus_->publish("failover/test/allowed", "yes", {1, true, {}});
  });
  MqttSubscriber subscriber(testing::MqttEndpoint{guarded.port()},
                            {.filters = {"failover/test/allowed"}, .count = 1, .timeout_s = 5});
  EXPECT_EQ(subscriber.nextPayload(6000ms), "yes");
  // The broker has "yes"; its acknowledgement reaches the bus a moment later. The bus offers
  // no event for that: look at its counters a bounded number of times.
  BusStats stats;
  for (int attempt = 0; attempt < 500; ++attempt) {
    runOnIo([&] { stats = bus_->stats(); });
    if (stats.in_flight == 0 && stats.publish_refused == 50) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(stats.publish_refused, 50u);
  EXPECT_EQ(stats.in_flight, 0u);
  EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(PahoMessageBusTest, Mqtt311AlsoWorks) {
  startBus(/*mqtt5=*/false);
  runOnIo(
      [this] { bus_->subscribe("failover/test/pair/+/set/#", ports::SubscriptionKind::Command); });
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  externalPublish("failover/test/pair/p/set/mode", "manual", /*retain=*/false);
  const auto message = recorder_.nextMessage(5s);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->payload, "manual");
}

// mqtt.servers: the first broker refuses (nothing listens on its port), the second is there.
// Paho tries them in order within one connect, and the client id and will stay the same.
TEST_F(PahoMessageBusTest, ServersListFallsThroughAClosedPortToTheNextBroker) {
  const std::string closed = "tcp://127.0.0.1:" + std::to_string(testing::pickFreePort());
  BusSettings settings = settingsFor(closed);
  settings.servers = {closed, broker_.uri()};
  startBus(settings);
  ASSERT_TRUE(recorder_.waitConnects(1, 10s));
  EXPECT_EQ(externalRead("failover/test/node/state"), "online");
}

}  // namespace
}  // namespace failover::mqtt
