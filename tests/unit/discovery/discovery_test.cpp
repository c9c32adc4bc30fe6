// The discovery API: topics and ids, what each entity is wired to, determinism, removal,
// stale-device clean-up and Home Assistant's birth message.

#include "failover/discovery/discovery.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config_shapes.h"

namespace failover::discovery {
namespace {

using nlohmann::json;

constexpr std::string_view kVersion = "0.4.0";

json payloadOf(const DiscoveryMessage& message) {
  return json::parse(message.payload);
}

TEST(Discovery, OneRetainedDeviceMessageForTheNodeThenOnePerPairInFileOrder) {
  const std::vector<DiscoveryMessage> messages = buildDiscovery(testing::labConfig(), kVersion);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].topic, "homeassistant/device/failover_lab/config");
  EXPECT_EQ(messages[1].topic, "homeassistant/device/failover_lab_green/config");
  EXPECT_EQ(messages[2].topic, "homeassistant/device/failover_lab_blue/config");
  for (const DiscoveryMessage& message : messages) {
    EXPECT_TRUE(message.retain);
  }
}

TEST(Discovery, UsesTheConfiguredPrefixBaseTopicAndNodeId) {
  const config::Config config = testing::sharedBackupConfig();
  const std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].topic, "ha/device/failover_studio-b_2_green/config");
  const json green = payloadOf(messages[1]);
  EXPECT_EQ(green["availability"][0]["topic"], "facility/failover/studio-b_2/node/state");
  EXPECT_EQ(green["components"]["swap"]["command_topic"],
            "facility/failover/studio-b_2/pair/green/set/swap");
}

TEST(Discovery, SharedBackupAppearsInEveryPairItServes) {
  const std::vector<DiscoveryMessage> messages =
      buildDiscovery(testing::sharedBackupConfig(), kVersion);
  const json green = payloadOf(messages[1]);
  const json blue = payloadOf(messages[2]);
  EXPECT_EQ(green["components"]["active"]["options"], json({"green-main", "spare"}));
  EXPECT_EQ(blue["components"]["active"]["options"], json({"blue-main", "spare"}));
  // Each pair reads its own view of the shared machine, under its own unique id.
  EXPECT_EQ(green["components"]["machine_spare_problem"]["state_topic"],
            "facility/failover/studio-b_2/pair/green/machine/spare/problem");
  EXPECT_EQ(blue["components"]["machine_spare_problem"]["unique_id"],
            "failover_studio-b_2_blue_machine_spare_problem");
  EXPECT_EQ(blue["components"]["machine_blue-main_problem"]["name"], "Main problem");
  EXPECT_EQ(green["components"]["machine_spare_problem"]["name"], "Backup problem");
  // A machine without a label is labelled by its id.
  EXPECT_EQ(blue["components"]["machine_blue-main_problem"]["json_attributes_template"],
            "{{ dict(value_json.get('machines', {}).get('blue-main', {}), machine='blue-main', "
            "label='blue-main') | tojson }}");
}

TEST(Discovery, LabelsAreQuotedSafelyInTemplates) {
  config::Config config = testing::onePairConfig();
  config.machines[0].label = R"(Bob's \ "main" {{ x }})";
  const json green = payloadOf(buildDiscovery(config, kVersion)[1]);
  EXPECT_EQ(
      green["components"]["machine_green-main_problem"]["json_attributes_template"],
      R"({{ dict(value_json.get('machines', {}).get('green-main', {}), machine='green-main', )"
      R"(label='Bob\'s \\ "main" {{ x }}') | tojson }})");
}

TEST(Discovery, PairControlsMatchTheCommandContract) {
  const json green = payloadOf(buildDiscovery(testing::onePairConfig(), kVersion)[1]);
  const json& c = green["components"];
  EXPECT_EQ(c["active"]["platform"], "select");
  EXPECT_EQ(c["active"]["state_topic"], "failover/fo1/pair/green/active");
  EXPECT_EQ(c["active"]["command_topic"], "failover/fo1/pair/green/set/active");
  EXPECT_EQ(c["swap"]["platform"], "button");
  EXPECT_EQ(c["swap"]["payload_press"], "PRESS");
  EXPECT_EQ(c["auto_mode"]["payload_on"], "auto");
  EXPECT_EQ(c["auto_mode"]["state_off"], "manual");
  EXPECT_EQ(c["armed"]["command_topic"], "failover/fo1/pair/green/set/armed");
  EXPECT_EQ(c["failover_state"]["options"], json({"idle", "switching", "active", "degraded"}));
  EXPECT_EQ(c["switch_event"]["event_types"],
            json({"failover", "manual_switch", "failback", "external_switch", "switch_failed"}));
  EXPECT_EQ(c["last_latency"]["unit_of_measurement"], "ms");
  EXPECT_EQ(c["last_latency"]["state_class"], "measurement");
  for (const auto& [key, component] : c.items()) {
    EXPECT_FALSE(component.contains("retain"))
        << key << ": Home Assistant must not retain commands";
    EXPECT_EQ(component["unique_id"].get<std::string>().rfind("failover_fo1_green_", 0), 0u) << key;
  }
}

TEST(Discovery, SignalsSensorShowsWhatThePairSwitches) {
  const json green = payloadOf(buildDiscovery(testing::onePairConfig(), kVersion)[1]);
  const json& signals = green["components"]["signals"];
  EXPECT_EQ(signals["platform"], "sensor");
  EXPECT_EQ(signals["entity_category"], "diagnostic");
  EXPECT_EQ(signals["state_topic"], "failover/fo1/pair/green/state");
  EXPECT_EQ(signals["value_template"],
            "{{ value_json.router.signals | map(attribute='signal') | join(', ') }}");
  EXPECT_EQ(signals["json_attributes_template"],
            "{{ {'signals': value_json.router.signals} | tojson }}");
}

TEST(Discovery, DeviceAndOriginCarryTheVersion) {
  const std::vector<DiscoveryMessage> messages = buildDiscovery(testing::onePairConfig(), kVersion);
  for (const DiscoveryMessage& message : messages) {
    const json payload = payloadOf(message);
    EXPECT_EQ(payload["origin"]["name"], "failover-node");
    EXPECT_EQ(payload["origin"]["sw_version"], "0.4.0");
    EXPECT_EQ(payload["device"]["sw_version"], "0.4.0");
  }
  EXPECT_EQ(payloadOf(messages[1])["device"]["via_device"], "failover_fo1");
  EXPECT_EQ(payloadOf(messages[1])["device"]["identifiers"], json({"failover_fo1_green"}));
}

TEST(Discovery, NodeDeviceReportsEachRouter) {
  const json node = payloadOf(buildDiscovery(testing::sharedBackupConfig(), kVersion)[0]);
  const json& c = node["components"];
  EXPECT_EQ(c["router_vh-2_connected"]["state_topic"],
            "facility/failover/studio-b_2/router/vh-2/state");
  EXPECT_EQ(c["router_vh-2_connected"]["device_class"], "connectivity");
  EXPECT_EQ(c["router_vh1_state"]["device_class"], "enum");
  EXPECT_EQ(c["started"]["device_class"], "timestamp");
}

TEST(Discovery, NodeDeviceHasAnEnableSwitchPerRouter) {
  const json node = payloadOf(buildDiscovery(testing::sharedBackupConfig(), kVersion)[0]);
  const json& c = node["components"];
  for (const std::string router : {"vh1", "vh-2"}) {
    const json& enabled = c["router_" + router + "_enabled"];
    EXPECT_EQ(enabled["platform"], "switch") << router;
    EXPECT_EQ(enabled["unique_id"], "failover_studio-b_2_router_" + router + "_enabled");
    EXPECT_EQ(enabled["name"], "Router " + router + " enabled");
    EXPECT_EQ(enabled["state_topic"], "facility/failover/studio-b_2/router/" + router + "/state");
    EXPECT_EQ(enabled["value_template"], "{{ 'ON' if value_json.enabled else 'OFF' }}");
    EXPECT_EQ(enabled["command_topic"],
              "facility/failover/studio-b_2/router/" + router + "/set/enabled");
    EXPECT_EQ(enabled["payload_on"], "ON");
    EXPECT_EQ(enabled["payload_off"], "OFF");
    EXPECT_EQ(enabled["entity_category"], "config");
    EXPECT_FALSE(enabled.contains("retain")) << "commands are never retained";
  }
}

TEST(Discovery, SameInputGivesTheSameBytes) {
  EXPECT_EQ(buildDiscovery(testing::labConfig(), kVersion),
            buildDiscovery(testing::labConfig(), kVersion));
}

TEST(Discovery, NothingWhenHomeAssistantIsDisabled) {
  config::Config config = testing::labConfig();
  config.homeassistant.enabled = false;
  EXPECT_TRUE(buildDiscovery(config, kVersion).empty());
}

TEST(Discovery, EmptyPairListStillAnnouncesTheNode) {
  config::Config config = testing::labConfig();
  config.pairs.clear();
  const std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].topic, "homeassistant/device/failover_lab/config");
}

TEST(Discovery, PairNamingAnUnknownMachineDoesNotCrash) {
  config::Config config = testing::onePairConfig();
  config.machines.clear();
  const std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(payloadOf(messages[1])["components"]["machine_green-main_problem"]["name"],
            "Main problem");
}

TEST(RemoveDiscovery, EmptiesEveryDeviceOfTheNode) {
  const std::vector<DiscoveryMessage> removal = removeDiscovery(testing::labConfig());
  const std::vector<DiscoveryMessage> expected = {
      {"homeassistant/device/failover_lab/config", "", true},
      {"homeassistant/device/failover_lab_green/config", "", true},
      {"homeassistant/device/failover_lab_blue/config", "", true}};
  EXPECT_EQ(removal, expected);
}

TEST(RemoveDiscovery, RemovesOnlyPairsThatAreGone) {
  const config::Config previous = testing::labConfig();
  config::Config current = previous;
  current.pairs.pop_back();  // blue removed
  const std::vector<DiscoveryMessage> expected = {
      {"homeassistant/device/failover_lab_blue/config", "", true}};
  EXPECT_EQ(removeDiscovery(previous, current), expected);
  EXPECT_TRUE(removeDiscovery(previous, previous).empty());
}

TEST(RemoveDiscovery, RemovesEverythingWhenPrefixChangesOrHomeAssistantIsDisabled) {
  const config::Config previous = testing::labConfig();
  config::Config moved = previous;
  moved.homeassistant.discovery_prefix = "ha";
  EXPECT_EQ(removeDiscovery(previous, moved), removeDiscovery(previous));
  config::Config disabled = previous;
  disabled.homeassistant.enabled = false;
  EXPECT_EQ(removeDiscovery(previous, disabled), removeDiscovery(previous));
}

class StaleDeviceTest : public ::testing::Test {
 protected:
  // What this node announced when it still had a third pair, red.
  std::string announcedPayload(const std::string& pair_id) {
    config::Config with_red = config_;
    with_red.pairs.push_back(testing::pair("red", "green-main", "green-backup", {9}));
    for (const DiscoveryMessage& message : buildDiscovery(with_red, kVersion)) {
      if (message.topic == "homeassistant/device/failover_lab_" + pair_id + "/config") {
        return message.payload;
      }
    }
    return {};
  }

  config::Config config_ = testing::labConfig();
};

TEST_F(StaleDeviceTest, RemovesAPairThisNodeNoLongerHas) {
  const auto removal = staleDeviceRemoval("homeassistant/device/failover_lab_red/config",
                                          announcedPayload("red"), config_);
  ASSERT_TRUE(removal.has_value());
  EXPECT_EQ(*removal, (DiscoveryMessage{"homeassistant/device/failover_lab_red/config", "", true}));
}

TEST_F(StaleDeviceTest, KeepsCurrentDevices) {
  for (const DiscoveryMessage& message : buildDiscovery(config_, kVersion)) {
    EXPECT_FALSE(staleDeviceRemoval(message.topic, message.payload, config_).has_value())
        << message.topic;
  }
}

TEST_F(StaleDeviceTest, RemovesEverythingOfThisNodeWhenHomeAssistantIsDisabled) {
  const std::vector<DiscoveryMessage> announced = buildDiscovery(config_, kVersion);
  config_.homeassistant.enabled = false;
  for (const DiscoveryMessage& message : announced) {
    EXPECT_TRUE(staleDeviceRemoval(message.topic, message.payload, config_).has_value())
        << message.topic;
  }
}

TEST_F(StaleDeviceTest, LeavesOtherNodesAndOtherSoftwareAlone) {
  // Another node "lab_red": its node device id collides with our would-be pair "red".
  config::Config other = config_;
  other.node_id = "lab_red";
  const DiscoveryMessage other_node = buildDiscovery(other, kVersion)[0];
  ASSERT_EQ(other_node.topic, "homeassistant/device/failover_lab_red/config");
  EXPECT_FALSE(staleDeviceRemoval(other_node.topic, other_node.payload, config_).has_value());

  // A pair of another node.
  other.node_id = "studio";
  const DiscoveryMessage other_pair = buildDiscovery(other, kVersion)[1];
  EXPECT_FALSE(staleDeviceRemoval(other_pair.topic, other_pair.payload, config_).has_value());

  // Some other program's device that claims our via_device.
  json foreign = json::parse(announcedPayload("red"));
  foreign["origin"]["name"] = "zigbee2mqtt";
  EXPECT_FALSE(
      staleDeviceRemoval("homeassistant/device/failover_lab_red/config", foreign.dump(), config_)
          .has_value());
}

TEST_F(StaleDeviceTest, UnderstandsAbbreviatedKeys) {
  const json payload = {{"dev", {{"ids", {"failover_lab_red"}}, {"via_dev", "failover_lab"}}},
                        {"o", {{"name", "failover-node"}}},
                        {"cmps", json::object()}};
  EXPECT_TRUE(
      staleDeviceRemoval("homeassistant/device/failover_lab_red/config", payload.dump(), config_)
          .has_value());
}

TEST_F(StaleDeviceTest, IgnoresMalformedInput) {
  const std::string red = announcedPayload("red");
  const std::string topic = "homeassistant/device/failover_lab_red/config";
  for (const std::string payload : {"", "{", "[]", "null", "\"x\"", "{\"origin\":1}",
                                    "{\"origin\":{\"name\":\"failover-node\"},\"device\":[]}"}) {
    EXPECT_FALSE(staleDeviceRemoval(topic, payload, config_).has_value()) << payload;
  }
  for (const std::string bad_topic :
       {"homeassistant/device/failover_lab_red", "homeassistant/device//config",
        "homeassistant/device/a/b/config", "other/device/failover_lab_red/config",
        "homeassistant/sensor/failover_lab_red/config", "homeassistant", ""}) {
    EXPECT_FALSE(staleDeviceRemoval(bad_topic, red, config_).has_value()) << bad_topic;
  }
}

TEST(BirthMessage, OnlyOnlineOnTheStatusTopicOfThePrefix) {
  EXPECT_EQ(birthTopic("homeassistant"), "homeassistant/status");
  EXPECT_TRUE(isBirthMessage("homeassistant/status", "online", "homeassistant"));
  EXPECT_TRUE(isBirthMessage("ha/status", "online", "ha"));
  EXPECT_FALSE(isBirthMessage("homeassistant/status", "offline", "homeassistant"));
  EXPECT_FALSE(isBirthMessage("homeassistant/status", "", "homeassistant"));
  EXPECT_FALSE(isBirthMessage("hass/status", "online", "homeassistant"));
  EXPECT_FALSE(isBirthMessage("homeassistant/status/x", "online", "homeassistant"));
  EXPECT_FALSE(isBirthMessage("homeassistant/status", "ONLINE", "homeassistant"));
}

TEST(DeviceIds, FollowTheContract) {
  const config::Config config = testing::onePairConfig();
  EXPECT_EQ(nodeDeviceId(config), "failover_fo1");
  EXPECT_EQ(pairDeviceId(config, "green"), "failover_fo1_green");
  EXPECT_EQ(deviceConfigTopic("homeassistant", "failover_fo1"),
            "homeassistant/device/failover_fo1/config");
}

}  // namespace
}  // namespace failover::discovery
