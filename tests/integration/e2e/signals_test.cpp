// Signals and router size, end to end. A fill+key pair switches all of its outputs, each to
// its machine's input for that signal, in one routing request, and says so in its event. A
// pair with a port beyond the router's size warns port_out_of_range and its switches are
// refused before anything reaches the router, while the other pairs switch as ever.
// videohub-sim logs every request it gets (--log-level debug), which is how requests are
// counted here.

#include <string>

#include <gtest/gtest.h>

#include "lab.h"

namespace failover::e2e {
namespace {

// Green as a fill+key pair: fill on outputs 1 and 3, key on output 2.
constexpr int kMainKey = 5;
constexpr int kBackupKey = 6;
constexpr int kFillOutput2 = 3;

// A pair whose output 12 is beyond the lab's 8x8 router.
constexpr const char* kWide = "wide";
constexpr const char* kWideMain = "wide-main";
constexpr const char* kWideBackup = "wide-backup";

// Routing requests the router got so far (each one "VIDEO OUTPUT ROUTING:" block).
int routingRequests(const Lab& lab) {
  const std::string log = lab.routerLog();
  const std::string marker = "header=\"VIDEO OUTPUT ROUTING\"";
  int count = 0;
  for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1)) {
    ++count;
  }
  return count;
}

LabOptions fillKeyLab() {
  LabOptions options;
  options.router_log_level = "debug";
  options.routes = {{kOutputA, kMainInput}, {kOutputB, kMainKey}, {kFillOutput2, kMainInput}};
  options.facility = [](testing::FacilityConfig& config) {
    config.machines[0].inputs = {{"fill", kMainInput}, {"key", kMainKey}};
    config.machines[1].inputs = {{"fill", kBackupInput}, {"key", kBackupKey}};
    config.pairs[0].signal_outputs = {{"fill", {kOutputA, kFillOutput2}}, {"key", {kOutputB}}};
  };
  return options;
}

// The event's router.signals entry for `signal`.
Json signalOf(const Json& event, const std::string& signal) {
  const Json signals = event.value("router", Json::object()).value("signals", Json::array());
  for (const auto& entry : signals) {
    if (entry.value("signal", "") == signal) {
      return entry;
    }
  }
  return Json();
}

TEST(SignalsTest, FillAndKeyMoveTogetherInOneRoutingRequestAndBackAgain) {
  Lab lab(fillKeyLab());
  lab.start();
  ASSERT_EQ(routingRequests(lab), 0) << lab.routerLog();

  auto mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","mode":"live","detail":"render crashed"})");
  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "no failover event";
  EXPECT_EQ(event->value("to", ""), kBackup);
  EXPECT_EQ(event->value("result", ""), "ok") << event->dump();

  // The router shows fill on the Backup's fill input, key on its key input.
  auto routes = lab.routes();
  EXPECT_EQ(routes[kOutputA], kBackupInput);
  EXPECT_EQ(routes[kFillOutput2], kBackupInput);
  EXPECT_EQ(routes[kOutputB], kBackupKey);
  EXPECT_EQ(routingRequests(lab), 1) << "the three outputs were not routed in one request:\n"
                                     << lab.routerLog();

  const Json fill = signalOf(*event, "fill");
  const Json key = signalOf(*event, "key");
  ASSERT_TRUE(fill.is_object() && key.is_object()) << event->dump();
  EXPECT_EQ(fill["outputs"], Json::array({kOutputA, kFillOutput2}));
  EXPECT_EQ(fill["input_from"], kMainInput);
  EXPECT_EQ(fill["input_to"], kBackupInput);
  EXPECT_EQ(key["outputs"], Json::array({kOutputB}));
  EXPECT_EQ(key["input_from"], kMainKey);
  EXPECT_EQ(key["input_to"], kBackupKey);

  // Back to the Main by hand (a failback is never automatic here): again one request.
  lab.health().set(kMain, "engine", Heartbeats::kOk);
  ASSERT_TRUE(lab.waitState([](const Json& s) {
    const Json main = s.value("machines", Json::object()).value(kMain, Json::object());
    return main.value("healthy", false) && s.value("active", Json()) == kBackup;
  })) << lab.bus().latest(Lab::pairTopic("state")).value_or("(none)");
  mark = lab.bus().mark();
  lab.publish(Lab::pairTopic("request/switch"), R"({"target":"green-main","transaction":"back"})");
  const auto answer = lab.bus().waitAfter(
      mark, Lab::pairTopic("response/switch"), [](const std::string&) { return true; },
      kEventTimeout);
  ASSERT_TRUE(answer) << "no answer to the switch back";
  EXPECT_EQ(parseJson(*answer).value_or(Json()).value("status", ""), "ok") << *answer;
  routes = lab.routes();
  EXPECT_EQ(routes[kOutputA], kMainInput);
  EXPECT_EQ(routes[kFillOutput2], kMainInput);
  EXPECT_EQ(routes[kOutputB], kMainKey);
  EXPECT_EQ(routingRequests(lab), 2) << "the switch back took more than one request:\n"
                                     << lab.routerLog();
  const auto back = lab.waitEvent(mark, "manual_switch");
  ASSERT_TRUE(back);
  EXPECT_EQ(signalOf(*back, "key").value("input_to", 0), kMainKey) << back->dump();
}

LabOptions wideLab() {
  LabOptions options;
  options.router_log_level = "debug";
  options.facility = [](testing::FacilityConfig& config) {
    config.machines.push_back({kWideMain, "", 3});
    config.machines.push_back({kWideBackup, "", 4});
    testing::FacilityConfig::Pair wide;
    wide.id = kWide;
    wide.router = "vh1";
    wide.main = kWideMain;
    wide.backup = kWideBackup;
    wide.outputs = {12};
    config.pairs.push_back(wide);
  };
  return options;
}

std::string wideTopic(const std::string& leaf) {
  return Lab::topic(std::string("pair/") + kWide + "/" + leaf);
}

TEST(SignalsTest, APortBeyondTheRouterIsRefusedWithoutTouchingTheRouter) {
  Lab lab(wideLab());
  lab.start();

  // The router says how big it is; the pair names the port beyond it.
  const auto router = lab.bus().waitLatest(
      Lab::topic("router/vh1/state"),
      [](const std::string& text) {
        const auto json = parseJson(text);
        return json && json->value("inputs", 0) == 8 && json->value("outputs", 0) == 8;
      },
      kEventTimeout);
  EXPECT_TRUE(router) << lab.bus().latest(Lab::topic("router/vh1/state")).value_or("(none)");
  const auto warned = lab.bus().waitLatest(
      wideTopic("state"),
      [](const std::string& text) {
        const auto json = parseJson(text);
        return json && hasWarning(*json, "port_out_of_range");
      },
      kEventTimeout);
  ASSERT_TRUE(warned) << lab.bus().latest(wideTopic("state")).value_or("(none)");
  const Json state = parseJson(*warned).value_or(Json());
  std::string message;
  for (const auto& warning : state.value("warnings", Json::array())) {
    if (warning.value("code", "") == "port_out_of_range") {
      message = warning.value("message", "");
    }
  }
  EXPECT_NE(message.find("8 inputs and 8 outputs"), std::string::npos) << message;
  EXPECT_NE(message.find("output 12"), std::string::npos) << message;
  EXPECT_FALSE(hasWarning(lab.waitState([](const Json&) { return true; }).value_or(Json()),
                          "port_out_of_range"))
      << "green, inside the router, warns too";

  // Its switch is refused before anything is sent.
  auto mark = lab.bus().mark();
  lab.publish(wideTopic("request/switch"), R"({"target":"wide-backup","transaction":"w1"})");
  const auto answer = lab.bus().waitAfter(
      mark, wideTopic("response/switch"), [](const std::string&) { return true; }, kEventTimeout);
  ASSERT_TRUE(answer) << "no answer to the switch of the pair beyond the router";
  const Json refused = parseJson(*answer).value_or(Json());
  EXPECT_EQ(refused.value("status", ""), "error") << *answer;
  EXPECT_EQ(refused.value("code", ""), "port_out_of_range") << *answer;
  EXPECT_NE(refused.value("error", "").find("output 12"), std::string::npos) << *answer;
  EXPECT_EQ(routingRequests(lab), 0) << "something was sent to the router:\n" << lab.routerLog();

  // Green, inside the router, still fails over.
  mark = lab.bus().mark();
  lab.health().set(kMain, "engine", R"({"status":"fail","mode":"live"})");
  const auto event = lab.waitEvent(mark, "failover");
  ASSERT_TRUE(event) << "green did not fail over";
  EXPECT_EQ(event->value("result", ""), "ok") << event->dump();
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, kEventTimeout));
  EXPECT_EQ(routingRequests(lab), 1) << lab.routerLog();
}

}  // namespace
}  // namespace failover::e2e
