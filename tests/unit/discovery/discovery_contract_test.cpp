// Every discovery payload against Home Assistant's device-discovery requirements and the
// node's MQTT contract, for each configuration shape; and proof that the check itself catches
// each kind of mistake.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config_shapes.h"
#include "failover/config/loader.h"
#include "failover/discovery/discovery.h"
#include "ha_discovery_checker.h"

namespace failover::discovery {
namespace {

using nlohmann::json;
using testing::checkDiscovery;

constexpr std::string_view kVersion = "1.2.3";

struct Shape {
  const char* name;
  config::Config (*make)();
};

class DiscoveryContractTest : public ::testing::TestWithParam<Shape> {};

TEST_P(DiscoveryContractTest, EveryPayloadPassesHomeAssistantAndContractChecks) {
  const config::Config config = GetParam().make();
  const std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  ASSERT_EQ(messages.size(), config.pairs.size() + 1);
  const std::vector<std::string> problems = checkDiscovery(config, messages);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

INSTANTIATE_TEST_SUITE_P(Shapes, DiscoveryContractTest,
                         ::testing::Values(Shape{"OnePair", &testing::onePairConfig},
                                           Shape{"Lab", &testing::labConfig},
                                           Shape{"SharedBackup", &testing::sharedBackupConfig}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(DiscoveryContract, ShippedLabConfigurationPasses) {
  const config::LoadResult loaded =
      config::loadConfigFile(std::string(FAILOVER_SOURCE_DIR) + "/config/lab.yaml");
  ASSERT_TRUE(loaded.ok());
  const std::vector<DiscoveryMessage> messages = buildDiscovery(loaded.config, kVersion);
  ASSERT_EQ(messages.size(), 3u);
  const std::vector<std::string> problems = checkDiscovery(loaded.config, messages);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

TEST(DiscoveryContract, ShippedExampleConfigurationPasses) {
  const config::LoadResult loaded =
      config::loadConfigFile(std::string(FAILOVER_SOURCE_DIR) + "/config/example.yaml");
  ASSERT_TRUE(loaded.ok());
  const std::vector<std::string> problems =
      checkDiscovery(loaded.config, buildDiscovery(loaded.config, kVersion));
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

// Abbreviating every key the checker knows gives an equivalent payload; it must still pass,
// so the checker judges meaning, not spelling.
TEST(DiscoveryContract, CheckerAcceptsAbbreviatedKeys) {
  const config::Config config = testing::labConfig();
  std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  const std::vector<std::pair<std::string, std::string>> short_keys = {
      {"device", "dev"},          {"origin", "o"},          {"components", "cmps"},
      {"platform", "p"},          {"unique_id", "uniq_id"}, {"state_topic", "stat_t"},
      {"command_topic", "cmd_t"}, {"availability", "avty"}, {"identifiers", "ids"}};
  std::function<json(const json&)> shorten = [&](const json& value) -> json {
    if (!value.is_object()) {
      return value.is_array() ? [&] {
        json out = json::array();
        for (const json& item : value) out.push_back(shorten(item));
        return out;
      }()
                              : value;
    }
    json out = json::object();
    for (const auto& [key, item] : value.items()) {
      std::string name = key;
      for (const auto& [full, abbreviation] : short_keys) {
        if (key == full)
          name = abbreviation;
      }
      out[name] = shorten(item);
    }
    return out;
  };
  for (DiscoveryMessage& message : messages) {
    message.payload = shorten(json::parse(message.payload)).dump();
  }
  const std::vector<std::string> problems = checkDiscovery(config, messages);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

// One deliberate mistake in the lab's green pair payload (or the node payload) and the text
// the checker must report for it.
struct Mutation {
  const char* name;
  bool node_device;  // mutate the node device instead of the green pair
  std::function<void(json&)> apply;
  const char* expected;  // a substring of some reported problem
};

class DiscoveryCheckerMutationTest : public ::testing::TestWithParam<Mutation> {};

TEST_P(DiscoveryCheckerMutationTest, CheckerReportsTheMistake) {
  const config::Config config = testing::labConfig();
  std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  ASSERT_EQ(messages.size(), 3u);
  DiscoveryMessage& target = GetParam().node_device ? messages[0] : messages[1];
  ASSERT_NE(target.topic.find(GetParam().node_device ? "failover_lab/" : "failover_lab_green/"),
            std::string::npos);
  json payload = json::parse(target.payload);
  GetParam().apply(payload);
  target.payload = payload.dump();

  const std::vector<std::string> problems = checkDiscovery(config, messages);
  const bool found = std::any_of(problems.begin(), problems.end(), [](const std::string& line) {
    return line.find(GetParam().expected) != std::string::npos;
  });
  EXPECT_TRUE(found) << "expected '" << GetParam().expected << "' in "
                     << ::testing::PrintToString(problems);
}

json& component(json& payload, const char* key) {
  return payload["components"][key];
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, DiscoveryCheckerMutationTest,
    ::testing::Values(
        Mutation{"NoOrigin", false, [](json& p) { p.erase("origin"); }, "origin with a name"},
        Mutation{"NoIdentifiers", false, [](json& p) { p["device"].erase("identifiers"); },
                 "identifiers"},
        Mutation{"ObjectId", false,
                 [](json& p) { component(p, "armed")["object_id"] = "armed"; }, "object_id"},
        Mutation{"UnknownPlatform", false,
                 [](json& p) { component(p, "armed")["platform"] = "toggle"; }, "platform"},
        Mutation{"MissingUniqueId", false, [](json& p) { component(p, "swap").erase("unique_id"); },
                 "unique_id is required"},
        Mutation{"DuplicateUniqueId", false,
                 [](json& p) {
                   component(p, "swap")["unique_id"] = component(p, "armed")["unique_id"];
                 },
                 "is not unique"},
        Mutation{"SelectWithoutOptions", false,
                 [](json& p) { component(p, "active").erase("options"); }, "select options"},
        Mutation{"SelectOptionsAsString", false,
                 [](json& p) { component(p, "active")["options"] = "green-main"; },
                 "select options"},
        Mutation{"ButtonWithoutCommand", false,
                 [](json& p) { component(p, "swap").erase("command_topic"); },
                 "needs command_topic"},
        Mutation{"CommandOutsideSet", false,
                 [](json& p) {
                   component(p, "swap")["command_topic"] = "failover/lab/pair/green/swap";
                 },
                 "is not a command topic of the node"},
        Mutation{"CommandOfAnotherPair", false,
                 [](json& p) {
                   component(p, "swap")["command_topic"] = "failover/lab/pair/blue/set/swap";
                 },
                 "not under this pair's set topics"},
        Mutation{"StateTopicNotPublished", false,
                 [](json& p) {
                   component(p, "failover_state")["state_topic"] =
                       "failover/lab/pair/green/failover_state";
                 },
                 "not a topic the node publishes"},
        Mutation{"SensorWithoutState", false,
                 [](json& p) { component(p, "last_latency").erase("state_topic"); },
                 "needs state_topic"},
        Mutation{"EventWithoutTypes", false,
                 [](json& p) { component(p, "switch_event").erase("event_types"); },
                 "event_types must be"},
        Mutation{"EventOnRetainedCopy", false,
                 [](json& p) {
                   component(p, "switch_event")["state_topic"] = "failover/lab/pair/green/last_event";
                 },
                 "non-retained event topic"},
        Mutation{"AvailabilityElsewhere", false,
                 [](json& p) { p["availability"][0]["topic"] = "failover/lab/state"; },
                 "availability is not tied"},
        Mutation{"AvailabilityBothForms", false,
                 [](json& p) { p["availability_topic"] = "failover/lab/node/state"; },
                 "mutually exclusive"},
        Mutation{"RetainAsString", false,
                 [](json& p) { component(p, "armed")["retain"] = "false"; },
                 "retain must be a JSON boolean"},
        Mutation{"RetainedCommand", false,
                 [](json& p) { component(p, "armed")["retain"] = true; },
                 "never be retained"},
        Mutation{"QosAsString", false, [](json& p) { p["qos"] = "1"; }, "qos must be"},
        Mutation{"ModeSwitchWithOnOff", false,
                 [](json& p) {
                   component(p, "auto_mode")["payload_on"] = "ON";
                   component(p, "auto_mode")["payload_off"] = "OFF";
                 },
                 "payload_on/payload_off differ"},
        Mutation{"ArmedSwitchStateMismatch", false,
                 [](json& p) { component(p, "armed")["state_on"] = "armed"; },
                 "state_on/state_off differ"},
        Mutation{"SwapPayload", false,
                 [](json& p) { component(p, "swap")["payload_press"] = "SWAP"; },
                 "payload_press"},
        Mutation{"MissingEnumState", false,
                 [](json& p) {
                   component(p, "failover_state")["options"] = {"idle", "switching", "active"};
                 },
                 "enum options differ"},
        Mutation{"ArmedSwitchRemoved", false, [](json& p) { p["components"].erase("armed"); },
                 "no switch with command_topic failover/lab/pair/green/set/armed"},
        Mutation{"NotViaNode", false, [](json& p) { p["device"].erase("via_device"); },
                 "via_device"},
        Mutation{"NotAnObject", false, [](json& p) { p = json::array({1}); },
                 "not a JSON object"},
        Mutation{"RouterSensorRemoved", true,
                 [](json& p) { p["components"].erase("router_vh1_connected"); },
                 "no connectivity binary_sensor for router vh1"},
        Mutation{"RouterSwitchRemoved", true,
                 [](json& p) { p["components"].erase("router_vh1_enabled"); },
                 "no switch with command_topic failover/lab/router/vh1/set/enabled"},
        Mutation{"RouterSwitchPayload", true,
                 [](json& p) { p["components"]["router_vh1_enabled"]["payload_on"] = "enable"; },
                 "payload_on/payload_off differ"},
        Mutation{"RouterSwitchWithoutTemplate", true,
                 [](json& p) { p["components"]["router_vh1_enabled"].erase("value_template"); },
                 "needs a value_template"},
        Mutation{"RouterSwitchOnAPairTopic", true,
                 [](json& p) {
                   p["components"]["router_vh1_enabled"]["command_topic"] =
                       "failover/lab/pair/green/set/armed";
                 },
                 "of the node device is not a router's"},
        Mutation{"NodeCommandEntity", true,
                 [](json& p) {
                   p["components"]["restart"] = {{"platform", "button"},
                                                 {"unique_id", "failover_lab_restart"},
                                                 {"name", "Restart"},
                                                 {"command_topic", "failover/lab/node/restart"}};
                 },
                 "is not a command topic of the node"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(DiscoveryChecker, ReportsMissingAndForeignDevices) {
  const config::Config config = testing::labConfig();
  std::vector<DiscoveryMessage> messages = buildDiscovery(config, kVersion);
  messages.pop_back();
  messages.push_back({"homeassistant/device/failover_lab_red/config", "{}", true});
  messages.push_back({"homeassistant/sensor/failover_lab/config", "{}", true});
  const std::vector<std::string> problems = checkDiscovery(config, messages);
  const auto mentions = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(mentions("failover_lab_blue: no discovery message"));
  EXPECT_TRUE(mentions("neither the node nor one of its pairs"));
  EXPECT_TRUE(mentions("not a device discovery topic"));
}

}  // namespace
}  // namespace failover::discovery
