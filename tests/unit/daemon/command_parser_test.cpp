#include "failover/daemon/command_parser.h"

#include <gtest/gtest.h>

namespace failover::daemon {
namespace {

using config::FailoverMode;
using Kind = CommandTopic::Kind;

CommandTopic setTopic() {
  return {Kind::Set, "green", "", ""};
}
CommandTopic attribute(const std::string& name) {
  return {Kind::SetAttribute, "green", name, ""};
}
CommandTopic request(const std::string& name) {
  return {Kind::Request, "green", name, ""};
}

CommandTopic routerSetting(const std::string& name, const std::string& router = "vh1") {
  return {Kind::SetAttribute, "", name, router};
}

ParsedCommand parse(const CommandTopic& topic, std::string_view payload) {
  return parseCommand(topic, payload, "cmd-7", "mqtt");
}

// The single event of a successful parse, as T.
template <typename T>
T only(const ParsedCommand& parsed) {
  EXPECT_FALSE(parsed.error) << *parsed.error;
  EXPECT_EQ(parsed.events.size(), 1u);
  if (parsed.events.size() != 1 || !std::holds_alternative<T>(parsed.events[0])) {
    ADD_FAILURE() << "not the expected event";
    return T{};
  }
  return std::get<T>(parsed.events[0]);
}

std::string errorOf(const ParsedCommand& parsed) {
  EXPECT_TRUE(parsed.events.empty());
  return parsed.error.value_or("<no error>");
}

TEST(CommandParserTest, SetActive) {
  const auto command =
      only<engine::SwitchCommand>(parse(setTopic(), R"({"active":"green-backup"})"));
  EXPECT_EQ(command.pair, "green");
  EXPECT_EQ(command.target, "green-backup");
  EXPECT_FALSE(command.force);
  EXPECT_EQ(command.meta.command_id, "cmd-7");
  EXPECT_EQ(command.meta.requested_by, "mqtt");
  EXPECT_FALSE(command.meta.transaction);

  const auto forced =
      only<engine::SwitchCommand>(parse(setTopic(), R"({"active":"green-main","force":true})"));
  EXPECT_TRUE(forced.force);
}

TEST(CommandParserTest, SetModeAndArmed) {
  EXPECT_EQ(only<engine::SetMode>(parse(setTopic(), R"({"mode":"manual"})")).mode,
            FailoverMode::Manual);
  EXPECT_EQ(only<engine::SetMode>(parse(setTopic(), R"({"mode":"auto"})")).mode,
            FailoverMode::Auto);
  EXPECT_FALSE(only<engine::SetArmed>(parse(setTopic(), R"({"armed":false})")).armed);
  EXPECT_TRUE(only<engine::SetArmed>(parse(setTopic(), R"({"armed":true})")).armed);
  EXPECT_TRUE(only<engine::SetArmed>(parse(setTopic(), R"({"armed":"ON"})")).armed);
  EXPECT_FALSE(only<engine::SetArmed>(parse(setTopic(), R"({"armed":"OFF"})")).armed);
}

TEST(CommandParserTest, SetWithTransactionAndSender) {
  const auto parsed =
      parse(setTopic(), R"({"mode":"manual","transaction":"t-1","requested_by":"desk-2"})");
  ASSERT_EQ(parsed.transaction, "t-1");
  const auto mode = only<engine::SetMode>(parsed);
  EXPECT_EQ(mode.meta.transaction, "t-1");
  EXPECT_EQ(mode.meta.requested_by, "desk-2");
  EXPECT_EQ(mode.meta.command_id, "cmd-7");
}

TEST(CommandParserTest, NumericTransactionIsEchoedAsText) {
  const auto parsed = parse(setTopic(), R"({"armed":false,"transaction":42})");
  EXPECT_EQ(parsed.transaction, "42");
  EXPECT_EQ(only<engine::SetArmed>(parsed).meta.transaction, "42");
  EXPECT_EQ(parse(request("arm"), R"({"transaction":"abc"})").transaction, "abc");
  EXPECT_FALSE(parse(request("arm"), R"({})").transaction);
}

TEST(CommandParserTest, SetWithSeveralSettingsGivesOneEventEach) {
  const auto parsed = parse(setTopic(), R"({"armed":false,"mode":"manual"})");
  ASSERT_FALSE(parsed.error);
  ASSERT_EQ(parsed.events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<engine::SetArmed>(parsed.events[0]));
  EXPECT_TRUE(std::holds_alternative<engine::SetMode>(parsed.events[1]));
}

// The header promises events "in payload order"; nlohmann::json objects iterate in key order,
// so {"mode":..,"armed":..} yields SetArmed first (see the report).
TEST(CommandParserTest, SetEventsFollowPayloadOrder) {
  const auto parsed = parse(setTopic(), R"({"mode":"manual","armed":false})");
  ASSERT_EQ(parsed.events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<engine::SetMode>(parsed.events[0]));
  EXPECT_TRUE(std::holds_alternative<engine::SetArmed>(parsed.events[1]));
}

TEST(CommandParserTest, SetBadRequests) {
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"active":""})")), "\"active\" must be a machine id");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"active":3})")), "\"active\" must be a machine id");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"mode":"sometimes"})")),
            "\"mode\" must be \"auto\" or \"manual\"");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"mode":1})")), "\"mode\" must be \"auto\" or \"manual\"");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"armed":"maybe"})")),
            "\"armed\" must be true, false, \"ON\" or \"OFF\"");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"armed":1})")),
            "\"armed\" must be true, false, \"ON\" or \"OFF\"");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"colour":"red"})")),
            "unknown key \"colour\" (active, mode, armed, transaction)");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({})")), "nothing to set: give active, mode or armed");
  EXPECT_EQ(errorOf(parse(setTopic(), "")), "nothing to set: give active, mode or armed");
  EXPECT_EQ(errorOf(parse(setTopic(), R"({"transaction":"t"})")),
            "nothing to set: give active, mode or armed");
  EXPECT_EQ(errorOf(parse(setTopic(), "{")), "payload is not valid JSON");
  EXPECT_EQ(errorOf(parse(setTopic(), "manual")), "payload is not valid JSON");
  EXPECT_EQ(errorOf(parse(setTopic(), R"(["mode","manual"])")), "payload must be a JSON object");
  EXPECT_EQ(errorOf(parse(setTopic(), "17")), "payload must be a JSON object");
}

TEST(CommandParserTest, BadRequestKeepsTheTransaction) {
  const auto parsed = parse(setTopic(), R"({"transaction":"t-9","mode":"sometimes"})");
  EXPECT_TRUE(parsed.error);
  EXPECT_EQ(parsed.transaction, "t-9");
}

TEST(CommandParserTest, SetAttributeActive) {
  const auto command = only<engine::SwitchCommand>(parse(attribute("active"), "green-backup\n"));
  EXPECT_EQ(command.target, "green-backup");
  EXPECT_FALSE(command.force);
  EXPECT_EQ(errorOf(parse(attribute("active"), "")), "set/active needs a machine id");
  EXPECT_EQ(errorOf(parse(attribute("active"), "  ")), "set/active needs a machine id");
}

TEST(CommandParserTest, SetAttributeMode) {
  EXPECT_EQ(only<engine::SetMode>(parse(attribute("mode"), "manual")).mode, FailoverMode::Manual);
  EXPECT_EQ(only<engine::SetMode>(parse(attribute("mode"), "auto")).mode, FailoverMode::Auto);
  EXPECT_EQ(errorOf(parse(attribute("mode"), "AUTO")), "set/mode takes auto or manual, got 'AUTO'");
}

TEST(CommandParserTest, SetAttributeArmed) {
  EXPECT_TRUE(only<engine::SetArmed>(parse(attribute("armed"), "ON")).armed);
  EXPECT_FALSE(only<engine::SetArmed>(parse(attribute("armed"), "OFF")).armed);
  EXPECT_TRUE(only<engine::SetArmed>(parse(attribute("armed"), "true")).armed);
  EXPECT_FALSE(only<engine::SetArmed>(parse(attribute("armed"), "off")).armed);
  EXPECT_EQ(errorOf(parse(attribute("armed"), "1")), "set/armed takes ON or OFF, got '1'");
}

TEST(CommandParserTest, SetAttributeSwap) {
  const auto command = only<engine::SwitchCommand>(parse(attribute("swap"), "PRESS"));
  EXPECT_EQ(command.target, "other");
  EXPECT_EQ(errorOf(parse(attribute("swap"), "HOLD")), "set/swap takes PRESS, got 'HOLD'");
}

TEST(CommandParserTest, SetAttributeUnknown) {
  EXPECT_EQ(errorOf(parse(attribute("colour"), "red")),
            "unknown setting 'colour' (active, mode, armed, swap)");
}

TEST(CommandParserTest, RequestSwitch) {
  const auto command = only<engine::SwitchCommand>(
      parse(request("switch"), R"({"target":"green-backup","force":true,"transaction":"x1"})"));
  EXPECT_EQ(command.target, "green-backup");
  EXPECT_TRUE(command.force);
  EXPECT_EQ(command.meta.transaction, "x1");

  const auto other = only<engine::SwitchCommand>(parse(request("switch"), ""));
  EXPECT_EQ(other.target, "other");
  EXPECT_FALSE(other.force);
  EXPECT_EQ(only<engine::SwitchCommand>(parse(request("switch"), R"({"force":false})")).target,
            "other");

  EXPECT_EQ(errorOf(parse(request("switch"), R"({"target":7})")),
            "\"target\" must be a machine id");
  EXPECT_EQ(errorOf(parse(request("switch"), R"({"target":""})")),
            "\"target\" must be a machine id");
  EXPECT_EQ(errorOf(parse(request("switch"), R"({"force":"yes"})")),
            "\"force\" must be true or false");
}

TEST(CommandParserTest, RequestSetMode) {
  EXPECT_EQ(only<engine::SetMode>(parse(request("set_mode"), R"({"mode":"manual"})")).mode,
            FailoverMode::Manual);
  const std::string message = "set_mode needs {\"mode\":\"auto\"} or {\"mode\":\"manual\"}";
  EXPECT_EQ(errorOf(parse(request("set_mode"), "")), message);
  EXPECT_EQ(errorOf(parse(request("set_mode"), R"({"mode":"fast"})")), message);
  EXPECT_EQ(errorOf(parse(request("set_mode"), R"({"mode":true})")), message);
}

TEST(CommandParserTest, RequestArmDisarmGetState) {
  EXPECT_TRUE(only<engine::SetArmed>(parse(request("arm"), "")).armed);
  EXPECT_FALSE(only<engine::SetArmed>(parse(request("disarm"), "{}")).armed);
  const auto state = only<engine::GetState>(parse(request("get_state"), R"({"transaction":"g"})"));
  EXPECT_EQ(state.pair, "green");
  EXPECT_EQ(state.meta.transaction, "g");
  EXPECT_EQ(state.meta.command_id, "cmd-7");
}

TEST(CommandParserTest, RequestBadRequests) {
  EXPECT_EQ(errorOf(parse(request("reboot"), "")),
            "unknown request 'reboot' (switch, set_mode, arm, disarm, get_state)");
  EXPECT_EQ(errorOf(parse(request("arm"), "{")), "payload is not valid JSON");
  EXPECT_EQ(errorOf(parse(request("arm"), "[]")), "payload must be a JSON object");
}

TEST(CommandParserTest, DeeplyNestedPayloadsAreHandled) {
  const std::size_t depth = (kMaxCommandPayloadBytes - 40) / 6;
  std::string open;
  for (std::size_t i = 0; i < depth; ++i) {
    open += R"({"a":)";
  }
  const std::string closed = R"({"x":)" + open + "1" + std::string(depth, '}') + "}";
  EXPECT_EQ(errorOf(parse(setTopic(), closed)),
            "unknown key \"x\" (active, mode, armed, transaction)");
  EXPECT_EQ(errorOf(parse(request("switch"), R"({"target":)" + open)), "payload is not valid JSON");
  EXPECT_EQ(errorOf(parse(request("get_state"), std::string(kMaxCommandPayloadBytes, '['))),
            "payload is not valid JSON");
}

TEST(CommandParserTest, OversizedPayloads) {
  const std::string expected = "payload larger than 16384 bytes";
  // At the bound (whitespace padding) the command still counts.
  std::string at_bound = R"({"mode":"manual"})";
  at_bound.append(kMaxCommandPayloadBytes - at_bound.size(), ' ');
  EXPECT_EQ(only<engine::SetMode>(parse(setTopic(), at_bound)).mode, FailoverMode::Manual);

  std::string over = at_bound + " ";
  EXPECT_EQ(errorOf(parse(setTopic(), over)), expected);
  EXPECT_EQ(errorOf(parse(attribute("active"), std::string(kMaxCommandPayloadBytes + 1, 'a'))),
            expected);
  EXPECT_EQ(errorOf(parse(request("switch"), std::string(1024 * 1024, '{'))), expected);
}

TEST(CommandParserTest, RouterSetEnabledPlain) {
  const auto off = only<engine::SetRouterEnabled>(parse(routerSetting("enabled"), "OFF"));
  EXPECT_EQ(off.router, "vh1");
  EXPECT_FALSE(off.enabled);
  EXPECT_EQ(off.meta.command_id, "cmd-7");
  EXPECT_EQ(off.meta.requested_by, "mqtt");
  EXPECT_FALSE(off.meta.transaction);
  EXPECT_TRUE(only<engine::SetRouterEnabled>(parse(routerSetting("enabled"), "ON\n")).enabled);
  EXPECT_TRUE(only<engine::SetRouterEnabled>(parse(routerSetting("enabled"), "true")).enabled);
  EXPECT_FALSE(only<engine::SetRouterEnabled>(parse(routerSetting("enabled"), "off")).enabled);
}

TEST(CommandParserTest, RouterSetEnabledJsonNamesWhoAsked) {
  const auto parsed = parse(routerSetting("enabled"),
                            R"({"enabled":false,"requested_by":"ha:ana","transaction":"r-1"})");
  const auto command = only<engine::SetRouterEnabled>(parsed);
  EXPECT_FALSE(command.enabled);
  EXPECT_EQ(command.meta.requested_by, "ha:ana");
  EXPECT_EQ(command.meta.transaction, "r-1");
  EXPECT_EQ(parsed.transaction, "r-1");
  EXPECT_TRUE(only<engine::SetRouterEnabled>(parse(routerSetting("enabled"), R"({"enabled":"ON"})"))
                  .enabled);
}

TEST(CommandParserTest, RouterSetBadRequests) {
  EXPECT_EQ(errorOf(parse(routerSetting("enabled"), "1")), "set/enabled takes ON or OFF, got '1'");
  EXPECT_EQ(errorOf(parse(routerSetting("enabled"), "")), "set/enabled takes ON or OFF, got ''");
  EXPECT_EQ(errorOf(parse(routerSetting("enabled"), "{")), "payload is not valid JSON");
  EXPECT_EQ(errorOf(parse(routerSetting("enabled"), R"({"transaction":"t"})")),
            R"("enabled" must be true, false, "ON" or "OFF")");
  EXPECT_EQ(errorOf(parse(routerSetting("enabled"), R"({"enabled":1})")),
            R"("enabled" must be true, false, "ON" or "OFF")");
  EXPECT_EQ(errorOf(parse(routerSetting("enabled"), R"({"enabled":true,"armed":true})")),
            R"(unknown key "armed" (enabled, transaction, requested_by))");
  EXPECT_EQ(errorOf(parse(routerSetting("locked"), "ON")),
            "unknown router setting 'locked' (enabled)");
  const auto refused =
      parse(routerSetting("enabled"), R"({"enabled":"maybe","transaction":"r-2"})");
  EXPECT_EQ(refused.transaction, "r-2");
}

}  // namespace
}  // namespace failover::daemon
