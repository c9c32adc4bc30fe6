// The state file across restarts, end to end: a mode set over MQTT survives a restart of the
// node; once the YAML's mode has been edited, the YAML wins at the next start, the node says
// so in its log and the override leaves the file, so a later edit of the YAML applies too.

#include <csignal>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<Json> readStateFile(const Lab& lab) {
  std::ifstream file(lab.directory() / "state.json");
  std::stringstream text;
  text << file.rdbuf();
  return parseJson(text.str());
}

// Polls the state file (written off the node's io thread, a moment after a change) until it
// satisfies `match`.
bool waitStateFile(const Lab& lab, const std::function<bool(const Json&)>& match) {
  const auto deadline = Clock::now() + kEventTimeout;
  while (true) {
    if (const auto json = readStateFile(lab); json && match(*json)) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool namesGreen(const Json& file) {
  return file.value("pairs", Json::object()).contains(kPair);
}

// Restarts the node and returns the first pair state it publishes once online.
std::optional<Json> restartNode(Lab& lab) {
  auto mark = lab.bus().mark();
  lab.killNode(SIGTERM);
  if (!lab.bus().waitAfter(
          mark, Lab::topic("node/state"), [](const std::string& p) { return p == "offline"; },
          kEventTimeout)) {
    return std::nullopt;
  }
  mark = lab.bus().mark();
  lab.startNode();
  if (!lab.bus().waitAfter(
          mark, Lab::topic("node/state"), [](const std::string& p) { return p == "online"; },
          kEventTimeout)) {
    return std::nullopt;
  }
  const auto state = lab.bus().waitAfter(
      mark, Lab::pairTopic("state"), [](const std::string& text) { return !text.empty(); },
      kEventTimeout);
  return state ? parseJson(*state) : std::nullopt;
}

// Rewrites the pair's mode in the node's configuration, as an administrator would.
void editYamlMode(const Lab& lab, const std::string& from, const std::string& to) {
  std::ifstream in(lab.configPath());
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string old_line = "    mode: " + from + "\n";
  const auto at = yaml.find(old_line);
  if (at == std::string::npos) {
    throw std::runtime_error("no '" + old_line + "' in " + lab.configPath());
  }
  yaml.replace(at, old_line.size(), "    mode: " + to + "\n");
  std::ofstream(lab.configPath()) << yaml;
}

TEST(RunStateTest, AnOverrideIsKeptUntilTheYamlIsEditedThenTheYamlWinsWithAWarning) {
  Lab lab;
  lab.start();

  // Set at run time: saved with the YAML value it overrides.
  lab.publish(Lab::pairTopic("set/mode"), "manual");
  ASSERT_TRUE(lab.waitState([](const Json& s) { return s.value("mode", "") == "manual"; }));
  ASSERT_TRUE(waitStateFile(lab, [](const Json& file) {
    const Json green = file.value("pairs", Json::object()).value(kPair, Json::object());
    return green.value("mode", "") == "manual" &&
           green.value("overrode", Json::object()).value("mode", "") == "auto" &&
           !green.contains("armed");  // only what changed
  })) << readStateFile(lab).value_or(Json()).dump();

  // Kept across a restart.
  auto state = restartNode(lab);
  ASSERT_TRUE(state) << "no pair state after the restart";
  EXPECT_EQ(state->value("mode", ""), "manual") << state->dump();

  // The YAML is edited (to what the operator had set): the YAML wins, and says so.
  editYamlMode(lab, "auto", "manual");
  state = restartNode(lab);
  ASSERT_TRUE(state) << "no pair state after the second restart";
  EXPECT_EQ(state->value("mode", ""), "manual");
  EXPECT_NE(lab.nodeLog().find("state file: pair 'green' mode is manual in the YAML, which was "
                               "auto when it was overridden at run time; the YAML wins and the "
                               "override manual is dropped"),
            std::string::npos);
  EXPECT_TRUE(waitStateFile(lab, [](const Json& file) { return !namesGreen(file); }))
      << "the dropped override is still in the file: "
      << readStateFile(lab).value_or(Json()).dump();

  // So the YAML alone decides from now on: edited back to auto, the pair is in auto.
  editYamlMode(lab, "manual", "auto");
  state = restartNode(lab);
  ASSERT_TRUE(state) << "no pair state after the third restart";
  EXPECT_EQ(state->value("mode", ""), "auto") << state->dump();
}

TEST(RunStateTest, ASettingSetBackToTheYamlValueLeavesTheFile) {
  Lab lab;
  lab.start();
  lab.publish(Lab::pairTopic("set/armed"), "OFF");
  ASSERT_TRUE(waitStateFile(lab, namesGreen));
  lab.publish(Lab::pairTopic("set/armed"), "ON");
  EXPECT_TRUE(waitStateFile(lab, [](const Json& file) { return !namesGreen(file); }))
      << readStateFile(lab).value_or(Json()).dump();
  const auto state = restartNode(lab);
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->value("armed", false));
}

}  // namespace
}  // namespace failover::e2e
