// PahoMessageBus over TLS (ssl://) against a real Mosquitto on loopback, configured through
// the same `mqtt.tls` YAML keys a facility writes. The certificates are made fresh for each
// run; mosquitto_pub / mosquitto_sub, over TLS too, play the other side of the bus.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "bus_harness.h"
#include "failover/config/loader.h"
#include "failover/mqtt/paho_message_bus.h"
#include "support/mosquitto_broker.h"
#include "support/mqtt_test_client.h"
#include "support/test_certificates.h"

namespace failover::mqtt {
namespace {

using namespace std::chrono_literals;
using testing::BrokerTls;
using testing::MosquittoBroker;
using testing::TestCertificates;

constexpr const char* kStateTopic = "failover/fo1/node/state";

// A facility the loader accepts; each test adds its `mqtt` section.
constexpr const char* kFacility = R"(node_id: fo1
routers:
  vh1: { address: 10.0.0.5 }
machines:
  a-main: { input: 1 }
  a-backup: { input: 2 }
pairs:
  a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] }
)";

// The bus's "mqtt" logger, feeding warnings to the recorder: a failed connect attempt is
// only visible there (the bus keeps retrying and reports nothing else).
class WarningSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit WarningSink(testing::BusRecorder& recorder) : recorder_(recorder) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (message.level >= spdlog::level::warn) {
      recorder_.warning(std::string(message.payload.data(), message.payload.size()));
    }
  }
  void flush_() override {}

 private:
  testing::BusRecorder& recorder_;
};

// Which certificate files the node is given.
struct NodeTls {
  std::filesystem::path ca_file;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  bool verify = true;
};

class MqttTlsTest : public ::testing::Test {
 protected:
  // One authority signs the broker's and the node's certificates; a stranger's authority
  // signed neither; a third one signed a broker certificate for another host.
  static void SetUpTestSuite() {
    if (!testing::opensslAvailable()) {
      return;
    }
    trusted_ = std::make_unique<TestCertificates>("failover trusted CA");
    stranger_ = std::make_unique<TestCertificates>("failover stranger CA");
    elsewhere_ =
        std::make_unique<TestCertificates>("failover elsewhere CA", "DNS:broker.elsewhere.invalid");
    for (auto* pki : {trusted_.get(), stranger_.get(), elsewhere_.get()}) {
      if (!pki->generate(setup_error_)) {
        return;
      }
    }
  }
  static void TearDownTestSuite() {
    trusted_.reset();
    stranger_.reset();
    elsewhere_.reset();
  }

  void SetUp() override {
    if (!testing::opensslAvailable()) {
      GTEST_SKIP() << testing::kOpensslExecutable
                   << " is not available: cannot make test certificates";
    }
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    if (std::string(MOSQUITTO_EXECUTABLE).find("NOTFOUND") != std::string::npos ||
        !testing::mosquittoClientsAvailable()) {
      GTEST_SKIP() << "mosquitto, mosquitto_pub or mosquitto_sub is not available";
    }
    logger_ = std::make_shared<spdlog::logger>(
        "mqtt", spdlog::sinks_init_list{std::make_shared<WarningSink>(recorder_),
                                        std::make_shared<spdlog::sinks::stderr_sink_mt>()});
    spdlog::register_logger(logger_);
  }

  void TearDown() override {
    harness_.stop();
    if (logger_) {
      spdlog::drop("mqtt");
    }
  }

  // A broker with the certificate from `broker_pki` (by default the trusted one), accepting
  // clients whose certificates the trusted authority signed.
  void startBroker(bool require_certificate, const TestCertificates* broker_pki = nullptr) {
    const TestCertificates& pki = broker_pki != nullptr ? *broker_pki : *trusted_;
    broker_ = std::make_unique<MosquittoBroker>(BrokerTls{
        trusted_->caFile(), pki.serverCertFile(), pki.serverKeyFile(), require_certificate});
    ASSERT_TRUE(broker_->start()) << "mosquitto did not start with a TLS listener";
  }

  // The node's settings, from the YAML a facility would write, mapped onto the bus as the
  // daemon maps them (run_daemon.cpp).
  static BusSettings settingsFromYaml(const std::string& server, const NodeTls& tls) {
    std::string yaml = std::string(kFacility) + "mqtt:\n  server: " + server + "\n  tls:\n" +
                       "    ca_file: " + tls.ca_file.string() + "\n";
    if (!tls.cert_file.empty()) {
      yaml += "    cert_file: " + tls.cert_file.string() + "\n";
    }
    if (!tls.key_file.empty()) {
      yaml += "    key_file: " + tls.key_file.string() + "\n";
    }
    yaml += std::string("    verify: ") + (tls.verify ? "true" : "false") + "\n";
    const auto loaded = config::loadConfigString(yaml, "tls_test.yaml");
    for (const auto& diagnostic : loaded.errors) {
      ADD_FAILURE() << diagnostic.render();
    }
    const auto& mqtt = loaded.config.mqtt;
    BusSettings settings;
    settings.server_uri = mqtt.server;
    settings.client_id = "failover-" + loaded.config.node_id;
    if (mqtt.tls) {
      settings.ca_file = mqtt.tls->ca_file;
      settings.cert_file = mqtt.tls->cert_file;
      settings.key_file = mqtt.tls->key_file;
      settings.verify_server = mqtt.tls->verify;
    } else {
      ADD_FAILURE() << "mqtt.tls was not read";
    }
    settings.state_topic = mqtt.base_topic + "/" + loaded.config.node_id + "/node/state";
    settings.reconnect_min_ms = 50;
    settings.reconnect_max_ms = 200;
    return settings;
  }

  void startBus(const NodeTls& tls) {
    server_ = broker_->uri();
    const BusSettings settings = settingsFromYaml(server_, tls);
    ASSERT_EQ(settings.server_uri.rfind("ssl://", 0), 0u);
    ASSERT_EQ(settings.state_topic, kStateTopic);
    harness_.start(settings);
    bus_ = &harness_.bus();
  }

  template <typename Function>
  void runOnIo(Function function) {
    harness_.runOnIo(std::move(function));
  }

  bool busConnected() {
    bool connected = false;
    runOnIo([&] { connected = bus_->connected(); });
    return connected;
  }

  // Awaits the bus's report that a connect attempt failed, then gives it a few more
  // attempts (reconnects are 50..200 ms apart) to show that none succeeds.
  void expectNoConnection() {
    const auto failure = recorder_.waitWarningOrConnect(server_, 8s);
    ASSERT_EQ(recorder_.connects(), 0) << "the node connected";
    ASSERT_TRUE(failure.has_value()) << "no failed connect attempt was reported";
    EXPECT_FALSE(recorder_.waitConnects(1, 600ms)) << "connected after: " << *failure;
    EXPECT_FALSE(busConnected());
  }

  // The TLS listener as mosquitto_pub / mosquitto_sub reach it, verifying the broker against
  // the trusted authority and presenting the client certificate.
  testing::MqttEndpoint clientEndpoint() const {
    return {broker_->port(), trusted_->caFile(), trusted_->clientCertFile(),
            trusted_->clientKeyFile()};
  }

  void externalPublish(const std::string& topic, const std::string& payload) {
    ASSERT_TRUE(testing::publishMessage(clientEndpoint(), topic, payload));
  }

  // Reads the first message on `topic` (retained ones included).
  std::optional<std::string> externalRead(const std::string& topic) {
    return testing::readOnePayload(clientEndpoint(), topic);
  }

  static inline std::unique_ptr<TestCertificates> trusted_;
  static inline std::unique_ptr<TestCertificates> stranger_;
  static inline std::unique_ptr<TestCertificates> elsewhere_;
  static inline std::string setup_error_;

  std::unique_ptr<MosquittoBroker> broker_;
  std::string server_;
  testing::BusHarness harness_;
  testing::BusRecorder& recorder_ = harness_.recorder();
  std::shared_ptr<spdlog::logger> logger_;
  PahoMessageBus* bus_ = nullptr;
};

TEST_F(MqttTlsTest, VerifiedBrokerCarriesStateCommandsAndEvents) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/false));
  ASSERT_NO_FATAL_FAILURE(startBus({trusted_->caFile(), {}, {}, /*verify=*/true}));
  runOnIo([this] { bus_->subscribe("render/+/status", ports::SubscriptionKind::State); });
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  EXPECT_EQ(externalRead(kStateTopic), "online");

  runOnIo([this] { bus_->publish("failover/fo1/pair/a/last_event", "switched", {1, true, {}}); });
  EXPECT_EQ(externalRead("failover/fo1/pair/a/last_event"), "switched");

  externalPublish("render/a-main/status", "online");
  const auto message = recorder_.nextMessage(5s);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->topic, "render/a-main/status");
  EXPECT_EQ(message->payload, "online");
}

TEST_F(MqttTlsTest, MutualTlsConnectsWithClientCertificate) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/true));
  ASSERT_NO_FATAL_FAILURE(
      startBus({trusted_->caFile(), trusted_->clientCertFile(), trusted_->clientKeyFile(),
                /*verify=*/true}));
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  EXPECT_TRUE(busConnected());
  EXPECT_EQ(externalRead(kStateTopic), "online");
}

TEST_F(MqttTlsTest, MutualTlsRefusesNodeWithoutClientCertificate) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/true));
  ASSERT_NO_FATAL_FAILURE(startBus({trusted_->caFile(), {}, {}, /*verify=*/true}));
  expectNoConnection();
}

TEST_F(MqttTlsTest, VerifyRefusesBrokerSignedByAnotherAuthority) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/false));
  ASSERT_NO_FATAL_FAILURE(startBus({stranger_->caFile(), {}, {}, /*verify=*/true}));
  expectNoConnection();
}

// `verify: false` trusts any broker certificate: the same node that was refused above
// connects (and the refusal there was the verification, nothing else).
TEST_F(MqttTlsTest, VerifyOffAcceptsBrokerSignedByAnotherAuthority) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/false));
  ASSERT_NO_FATAL_FAILURE(startBus({stranger_->caFile(), {}, {}, /*verify=*/false}));
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
  EXPECT_EQ(externalRead(kStateTopic), "online");
}

// A broker certificate from the trusted authority, but for another host: refused.
TEST_F(MqttTlsTest, VerifyRefusesBrokerWhoseCertificateNamesAnotherHost) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/false, elsewhere_.get()));
  ASSERT_NO_FATAL_FAILURE(startBus({elsewhere_->caFile(), {}, {}, /*verify=*/true}));
  expectNoConnection();
}

// The same broker with `verify: false`: accepted, so the refusal above was the host name.
TEST_F(MqttTlsTest, VerifyOffAcceptsBrokerWhoseCertificateNamesAnotherHost) {
  ASSERT_NO_FATAL_FAILURE(startBroker(/*require_certificate=*/false, elsewhere_.get()));
  ASSERT_NO_FATAL_FAILURE(startBus({elsewhere_->caFile(), {}, {}, /*verify=*/false}));
  ASSERT_TRUE(recorder_.waitConnects(1, 5s));
}

}  // namespace
}  // namespace failover::mqtt
