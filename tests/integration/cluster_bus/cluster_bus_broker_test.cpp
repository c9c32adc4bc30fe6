// ClusterBus on PahoMessageBus, an Asio timer and the real clocks, against a real Mosquitto:
// its own heartbeats must come back through the broker (they are its lease), so a lone node
// takes control; a rival's claim published by another client makes it stand down; a handover
// request is answered. The rival and the observer are the Mosquitto command-line clients (a
// second Paho client in one process takes seconds to connect).

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "failover/cluster_bus/cluster_bus.h"
#include "failover/daemon/asio_ports.h"
#include "failover/mqtt/paho_message_bus.h"
#include "support/mosquitto_broker.h"
#include "support/mqtt_test_client.h"

namespace failover::cluster_bus {
namespace {

using namespace std::chrono_literals;
using testing::MosquittoBroker;
using testing::MqttEndpoint;
using testing::MqttSubscriber;

constexpr const char* kBase = "failover/studio";

// Every fence change ClusterBus reports (on the io thread), for the test thread to await.
class FenceRecorder {
 public:
  void record(bool open) {
    std::lock_guard lock(mutex_);
    changes_.push_back(open);
    changed_.notify_all();
  }
  // Waits until the latest report is `open`.
  bool waitFor(bool open, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout,
                             [&] { return !changes_.empty() && changes_.back() == open; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> changes_;
};

class ClusterBusBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!broker_.start() || !testing::mosquittoClientsAvailable()) {
      GTEST_SKIP() << "mosquitto is not available";
    }
    endpoint_.port = broker_.port();
  }

  void TearDown() override {
    if (bus_) {
      runOnIo([this] { bus_->stop(1000); });
    }
    work_.reset();
    io_.stop();
    if (io_thread_.joinable()) {
      io_thread_.join();
    }
  }

  void startNode() {
    mqtt::BusSettings settings;
    settings.server_uri = broker_.uri();
    settings.client_id = "failover-fo1";
    settings.state_topic = std::string(kBase) + "/nodes/fo1/state";
    settings.reconnect_min_ms = 50;
    settings.reconnect_max_ms = 200;
    ports::BusHandlers handlers;
    handlers.on_connected = [this] {
      adapter_->onBusConnected();
    };
    handlers.on_lost = [this](const std::string&) {
      adapter_->onBusLost();
    };
    handlers.on_message = [this](const ports::BusMessage& message) {
      adapter_->onBusMessage(message);
    };
    bus_ = std::make_unique<mqtt::PahoMessageBus>(io_, settings, handlers);

    ClusterBusSettings cluster;
    cluster.cluster_base = kBase;
    cluster.election.node_id = "fo1";
    cluster.election.rank = 1;
    cluster.instance = 0x1234;
    ClusterBusCallbacks callbacks;
    callbacks.on_fence = [this](bool open, const std::string&) {
      fence_.record(open);
    };
    adapter_ = std::make_unique<ClusterBus>(cluster, *bus_, timer_, clock_, callbacks);

    io_thread_ = std::thread([this] { io_.run(); });
    runOnIo([this] {
      adapter_->start();
      std::string error;
      ASSERT_TRUE(bus_->start(error)) << error;
    });
  }

  template <typename Function>
  void runOnIo(Function function) {
    std::promise<void> done;
    asio::post(io_, [&] {
      function();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  }

  MosquittoBroker broker_;
  MqttEndpoint endpoint_;
  FenceRecorder fence_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  daemon::SteadyTimeSource clock_;
  daemon::AsioTimer timer_{io_};
  std::unique_ptr<mqtt::PahoMessageBus> bus_;
  std::unique_ptr<ClusterBus> adapter_;
  std::thread io_thread_;
};

TEST_F(ClusterBusBrokerTest, ALoneNodeTakesControlOnItsEchoAndStandsDownForAHigherClaim) {
  MqttSubscriber observer(endpoint_.port, {std::string(kBase) + "/#"});
  startNode();

  ASSERT_TRUE(fence_.waitFor(true, 5s)) << "the node never took control";
  const auto any = [](const std::string&) {
    return true;
  };
  EXPECT_TRUE(observer.waitLatestEquals(std::string(kBase) + "/cluster/active", "fo1", 5s));
  EXPECT_TRUE(observer.waitLatestEquals(std::string(kBase) + "/nodes/fo1/role", "active", 5s));
  const auto event = observer.waitAfter(0, std::string(kBase) + "/cluster/event", any, 5s);
  ASSERT_TRUE(event);
  EXPECT_EQ(nlohmann::json::parse(*event)["reason"], "startup");

  // A handover to a node nobody has heard of is refused by the node in charge.
  const auto before_request = observer.mark();
  ASSERT_TRUE(testing::publishMessage(endpoint_, std::string(kBase) + "/cluster/request/handover",
                                      R"({"to":"fo9","transaction":"t-1"})"));
  const auto answer = observer.waitAfter(
      before_request, std::string(kBase) + "/cluster/response/handover", any, 5s);
  ASSERT_TRUE(answer);
  const auto json = nlohmann::json::parse(*answer);
  EXPECT_EQ(json["status"], "error");
  EXPECT_EQ(json["transaction"], "t-1");

  // Another node's claim with a higher term arrives through the broker: this one stops routing.
  ASSERT_TRUE(testing::publishMessage(
      endpoint_, std::string(kBase) + "/nodes/fo2/heartbeat",
      R"({"node_id":"fo2","instance":"99","rank":2,"role":"active","term":50,"active":"fo2",)"
      R"("sent_ms":1})"));
  EXPECT_TRUE(fence_.waitFor(false, 5s)) << "the node kept routing";
  EXPECT_TRUE(observer.waitLatestEquals(std::string(kBase) + "/nodes/fo1/role", "standby", 5s));
}

}  // namespace
}  // namespace failover::cluster_bus
