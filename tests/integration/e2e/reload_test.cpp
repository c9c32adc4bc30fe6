// Configuration reload, end to end (SPEC 8.3): over B/node/request/reload and on SIGHUP the
// node reads its file again. A good file adds and removes pairs while the pair on air is not
// touched (no routing block, no switch, the router connection kept); a removed pair's
// retained state is cleared. A bad file is refused with its errors and changes nothing.

#include <signal.h>

#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

constexpr int kBlueOutput = 3;
constexpr int kRedOutput = 4;

testing::FacilityConfig::Pair pairOf(const std::string& id, int output) {
  testing::FacilityConfig::Pair pair;
  pair.id = id;
  pair.router = "vh1";
  pair.main = id + "-main";
  pair.backup = id + "-backup";
  pair.outputs = {output};
  pair.mode = "auto";
  pair.min_dwell_ms = 0;
  return pair;
}

// Green and a second pair, blue (inputs 3 and 4, output 3).
LabOptions withBlue() {
  LabOptions options;
  options.facility = [](testing::FacilityConfig& config) {
    config.machines.push_back({"blue-main", "Blue Main", 3});
    config.machines.push_back({"blue-backup", "Blue Backup", 4});
    config.pairs.push_back(pairOf("blue", kBlueOutput));
  };
  return options;
}

// The lab's facility with blue replaced by red (inputs 5 and 6, output 4).
testing::FacilityConfig blueReplacedByRed(const Lab& lab) {
  testing::FacilityConfig config = lab.facilityConfig();
  std::erase_if(config.machines,
                [](const auto& machine) { return machine.id.rfind("blue", 0) == 0; });
  std::erase_if(config.pairs, [](const auto& pair) { return pair.id == "blue"; });
  config.machines.push_back({"red-main", "Red Main", 5});
  config.machines.push_back({"red-backup", "Red Backup", 6});
  config.pairs.push_back(pairOf("red", kRedOutput));
  return config;
}

std::optional<Json> waitJsonAfter(Lab& lab, size_t from, const std::string& topic,
                                  const std::function<bool(const Json&)>& match) {
  const auto payload = lab.bus().waitAfter(
      from, topic,
      [&](const std::string& text) {
        const auto json = parseJson(text);
        return json && match(*json);
      },
      kEventTimeout);
  return payload ? parseJson(*payload) : std::nullopt;
}

std::optional<Json> requestReload(Lab& lab, const std::string& transaction) {
  const auto mark = lab.bus().mark();
  lab.publish(Lab::topic("node/request/reload"), R"({"transaction":")" + transaction + R"("})");
  return waitJsonAfter(lab, mark, Lab::topic("node/response/reload"), [&](const Json& answer) {
    return answer.value("transaction", Json()) == transaction;
  });
}

std::vector<std::string> ids(const Json& list) {
  return list.is_array() ? list.get<std::vector<std::string>>() : std::vector<std::string>{};
}

// Green fails over to its Backup, as it would on air.
void greenOnBackup(Lab& lab) {
  const auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","mode":"live"})");
  ASSERT_TRUE(lab.waitEvent(mark, "failover")) << "green did not fail over";
  ASSERT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
}

// After a good reload: red is published, blue's retained topics are empty, and green was not
// touched (no event, no change of its outputs, the same router connection).
void expectBlueReplacedByRed(Lab& lab, size_t mark, const std::map<int, int>& routes_before) {
  EXPECT_TRUE(waitJsonAfter(lab, mark, Lab::topic("pair/red/state"), [](const Json& state) {
    return state.value("pair", "") == "red";
  })) << "the new pair red was not published";
  for (const char* leaf : {"state", "active", "mode", "armed", "failover"}) {
    const std::string topic = Lab::topic(std::string("pair/blue/") + leaf);
    EXPECT_TRUE(lab.bus().waitAfter(
        mark, topic, [](const std::string& payload) { return payload.empty(); }, kEventTimeout))
        << topic << " was not cleared";
  }
  const auto info = waitJsonAfter(lab, mark, Lab::topic("node/info"), [](const Json& node_info) {
    return ids(node_info.value("pairs", Json())) == std::vector<std::string>{"green", "red"};
  });
  EXPECT_TRUE(info) << lab.bus().latest(Lab::topic("node/info")).value_or("(none)");
  // Nothing of green moved: no switch event, its state still shows the Backup on air, and the
  // router saw no routing block (its outputs are as before) and kept its one connection.
  EXPECT_TRUE(lab.bus().collect(mark, Lab::pairTopic("event"), 500ms).empty())
      << "a switch event of green after the reload";
  const auto green = parseJson(lab.bus().latest(Lab::pairTopic("state")).value_or(""));
  ASSERT_TRUE(green);
  EXPECT_EQ(green->value("active", Json()), kBackup);
  EXPECT_EQ(green->value("failover", ""), "active");
  EXPECT_EQ(lab.routes(), routes_before);
  EXPECT_EQ(lab.sim("clients"), "ok 1");
}

TEST(ReloadTest, GoodReloadAddsAndRemovesPairsWithoutTouchingThePairOnAir) {
  Lab lab(withBlue());
  lab.start();
  ASSERT_TRUE(lab.bus().waitLatest(
      Lab::topic("pair/blue/state"), [](const std::string& payload) { return !payload.empty(); },
      kEventTimeout));
  greenOnBackup(lab);
  const auto routes_before = lab.routes();

  blueReplacedByRed(lab).write(lab.configPath());
  const auto mark = lab.bus().mark();
  const auto answer = requestReload(lab, "reload-1");
  ASSERT_TRUE(answer) << "no answer to the reload";
  ASSERT_EQ(answer->value("status", ""), "ok") << answer->dump();
  const Json& pairs = (*answer)["data"]["pairs"];
  EXPECT_EQ(ids(pairs["added"]), std::vector<std::string>{"red"});
  EXPECT_EQ(ids(pairs["removed"]), std::vector<std::string>{"blue"});
  EXPECT_EQ(ids(pairs["unchanged"]), std::vector<std::string>{kPair});
  EXPECT_TRUE(ids(pairs["changed"]).empty());
  const auto event = waitJsonAfter(lab, mark, Lab::topic("node/event"), [](const Json& candidate) {
    return candidate.value("event_type", "") == "reload";
  });
  ASSERT_TRUE(event) << "no reload event";
  EXPECT_EQ(event->value("result", ""), "ok");
  EXPECT_EQ(event->value("requested_by", Json()), "mqtt");
  expectBlueReplacedByRed(lab, mark, routes_before);

  // Green is still protected: its Backup fails and the healthy Main goes back on air.
  const auto before_failback = lab.bus().mark();
  lab.health().set(kMain, "engine", Heartbeats::kOk);
  ASSERT_TRUE(lab.waitState(
      [](const Json& state) { return state["machines"][kMain].value("healthy", false); }));
  lab.health().set(kBackup, "engine", R"({"status":"fail","mode":"live"})");
  EXPECT_TRUE(lab.waitEvent(before_failback, "failover"));
  EXPECT_TRUE(lab.waitPairRoutedTo(kMainInput, kEventTimeout));
}

TEST(ReloadTest, BadFileIsRefusedWithItsErrorsAndChangesNothing) {
  Lab lab(withBlue());
  lab.start();
  const std::string info_before = lab.bus().latest(Lab::topic("node/info")).value_or("");
  {
    std::ofstream file(lab.configPath(), std::ios::trunc);
    file << "node_id: fo1\npairs:\n  green: { router: vh1\n  blue: [\n";
  }
  const auto mark = lab.bus().mark();
  const auto answer = requestReload(lab, "bad-1");
  ASSERT_TRUE(answer) << "no answer to the reload";
  EXPECT_EQ(answer->value("status", ""), "error") << answer->dump();
  EXPECT_EQ(answer->value("code", ""), "invalid_config");
  const Json errors = (*answer)["data"].value("errors", Json::array());
  ASSERT_FALSE(errors.empty()) << answer->dump();
  // As --check-config prints them: FILE:LINE:COL: ...
  EXPECT_TRUE(
      std::regex_search(errors[0].get<std::string>(), std::regex(R"(config\.yaml:\d+:\d+: )")))
      << errors[0];
  const auto event = waitJsonAfter(lab, mark, Lab::topic("node/event"), [](const Json& candidate) {
    return candidate.value("event_type", "") == "reload";
  });
  ASSERT_TRUE(event);
  EXPECT_EQ(event->value("result", ""), "failed");

  // Nothing changed: both pairs are still there, nothing was cleared, and green still fails
  // over.
  for (const auto& payload : lab.bus().collect(mark, Lab::topic("pair/blue/state"), 300ms)) {
    EXPECT_FALSE(payload.empty()) << "blue was cleared by a refused reload";
  }
  EXPECT_TRUE(lab.bus().latest(Lab::topic("pair/blue/state")).value_or("").size() > 0);
  EXPECT_EQ(lab.bus().latest(Lab::topic("node/info")).value_or(""), info_before);
  greenOnBackup(lab);
}

TEST(ReloadTest, SighupReloadsLikeTheRequest) {
  Lab lab(withBlue());
  lab.start();
  greenOnBackup(lab);
  const auto routes_before = lab.routes();

  blueReplacedByRed(lab).write(lab.configPath());
  const auto mark = lab.bus().mark();
  ASSERT_EQ(::kill(lab.node().pid(), SIGHUP), 0);
  const auto answer = waitJsonAfter(lab, mark, Lab::topic("node/response/reload"),
                                    [](const Json&) { return true; });
  ASSERT_TRUE(answer) << "no answer to SIGHUP on node/response/reload";
  ASSERT_EQ(answer->value("status", ""), "ok") << answer->dump();
  const auto event = waitJsonAfter(lab, mark, Lab::topic("node/event"), [](const Json& candidate) {
    return candidate.value("event_type", "") == "reload";
  });
  ASSERT_TRUE(event);
  EXPECT_EQ(event->value("requested_by", Json()), "signal");
  expectBlueReplacedByRed(lab, mark, routes_before);
  EXPECT_TRUE(lab.node().running());
}

}  // namespace
}  // namespace failover::e2e
