// The real render-sim binary against a real Mosquitto on loopback, observed with
// mosquitto_sub and driven over stdin and with mosquitto_pub: periodic health, every fault
// command, the will on a network drop, MQTT control, and the clean stop.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "support/child_process.h"
#include "support/mosquitto_broker.h"
#include "support/mqtt_test_client.h"

namespace failover::render_sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::binaryPath;
using testing::ChildProcess;
using testing::MosquittoBroker;
using Clock = std::chrono::steady_clock;

using Message = testing::MqttMessage;
using Subscriber = testing::MqttSubscriber;

json body(const Message& message) {
  return json::parse(message.payload, nullptr, false);
}

// A JSON message on `topic` whose field `key` equals `value`.
std::optional<Message> waitForField(Subscriber& sub, const std::string& topic,
                                    const std::string& key, const json& value,
                                    std::chrono::milliseconds timeout = 5000ms) {
  return sub.waitFor(
      topic,
      [&](const Message& m) {
        const auto fields = body(m);
        return fields.is_object() && fields.contains(key) && fields[key] == value;
      },
      timeout);
}

class RenderSimProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!broker_.start()) {
      GTEST_SKIP() << "mosquitto is not available";
    }
  }

  // Starts render-sim for machines a and b and waits for "ready".
  void startSim(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{binaryPath("render-sim"),
                                  "--broker",
                                  broker_.uri(),
                                  "--machine",
                                  "a",
                                  "--machine",
                                  "b",
                                  "--rate-ms",
                                  "50"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    sim_ = std::make_unique<ChildProcess>(argv);
    ASSERT_TRUE(sim_->waitForLine("ready", 10000ms)) << "render-sim never became ready";
  }

  // Sends a command on stdin and returns its last answer line ("ok" or "error ...").
  std::string command(const std::string& line) {
    EXPECT_TRUE(sim_->writeLine(line));
    while (true) {
      const auto answer = sim_->readLine(5000ms);
      if (!answer) {
        return "(no answer)";
      }
      if (*answer == "ok" || answer->rfind("error", 0) == 0) {
        return *answer;
      }
      answers_.push_back(*answer);
    }
  }

  void publish(const std::string& topic, const std::string& payload) {
    ASSERT_TRUE(testing::publishMessage({broker_.port()}, topic, payload));
  }

  MosquittoBroker broker_;
  std::unique_ptr<ChildProcess> sim_;
  std::vector<std::string> answers_;  // non-final answer lines (status output)
};

TEST_F(RenderSimProcessTest, PublishesEveryTopicPeriodicallyWithHealthyPayloads) {
  Subscriber sub(broker_.port(), {"render/#", "diagnostics/#"});
  startSim();
  // The first message of every topic, in whatever order they arrive.
  std::map<std::string, Message> first;
  const std::set<std::string> expected = {
      "render/a/status",      "render/a/engine",     "render/a/videoio", "render/a/network",
      "diagnostics/a/health", "render/b/status",     "render/b/engine",  "render/b/videoio",
      "render/b/network",     "diagnostics/b/health"};
  while (first.size() < expected.size()) {
    const auto message = sub.next(5000ms);
    ASSERT_TRUE(message) << "missing topics; seen " << first.size();
    EXPECT_TRUE(expected.count(message->topic)) << message->topic;
    first.emplace(message->topic, *message);
  }
  for (const std::string machine : {"a", "b"}) {
    SCOPED_TRACE(machine);
    EXPECT_EQ(first["render/" + machine + "/status"].payload, "online");
    const auto engine = body(first["render/" + machine + "/engine"]);
    EXPECT_EQ(engine["status"], "ok");
    EXPECT_EQ(engine["mode"], "live");
    EXPECT_EQ(engine["fps"], 59.94);
    EXPECT_EQ(engine["machine"], machine);
    EXPECT_EQ(body(first["render/" + machine + "/videoio"])["status"], "ok");
    EXPECT_EQ(body(first["render/" + machine + "/network"])["status"], "ok");
    const auto health = body(first["diagnostics/" + machine + "/health"]);
    EXPECT_EQ(health["status"], "ok");
    EXPECT_EQ(health["parameters"]["gpu_temp_c"]["level"], "ok");
    EXPECT_EQ(health["parameters"]["gpu_temp_c"]["value"], 71);
  }
  // Ten rounds at --rate-ms 50 take about half a second: periodic, neither bursty nor slow.
  const auto start = sub.waitFor("render/a/engine", [](const Message&) { return true; });
  ASSERT_TRUE(start);
  const auto started = Clock::now();
  const auto first_seq = body(*start)["seq"].get<int>();
  const auto tenth = sub.waitFor("render/a/engine", [&](const Message& m) {
    return body(m)["seq"].get<int>() >= first_seq + 10;
  });
  ASSERT_TRUE(tenth);
  const auto elapsed = Clock::now() - started;
  EXPECT_GT(elapsed, 300ms);
  EXPECT_LT(elapsed, 2000ms);
}

TEST_F(RenderSimProcessTest, FailWarnAndModeChangeThePayloadOfOneMachine) {
  Subscriber sub(broker_.port(), {"render/+/engine", "render/+/network"});
  startSim();
  ASSERT_TRUE(waitForField(sub, "render/a/engine", "status", "ok"));
  EXPECT_EQ(command("fail engine a"), "ok");
  EXPECT_TRUE(waitForField(sub, "render/a/engine", "status", "fail"));
  // b is untouched: its next engine message is still ok.
  EXPECT_TRUE(sub.waitFor("render/b/engine", [](const Message&) { return true; }));
  const auto b = sub.waitFor("render/b/engine", [](const Message&) { return true; });
  ASSERT_TRUE(b);
  EXPECT_EQ(body(*b)["status"], "ok");

  EXPECT_EQ(command("warn network b"), "ok");
  EXPECT_TRUE(waitForField(sub, "render/b/network", "status", "warn"));
  EXPECT_EQ(command("mode a edit"), "ok");
  EXPECT_TRUE(waitForField(sub, "render/a/engine", "mode", "edit"));
  EXPECT_EQ(command("recover engine a"), "ok");
  const auto recovered = waitForField(sub, "render/a/engine", "status", "ok");
  ASSERT_TRUE(recovered);
  EXPECT_EQ(body(*recovered)["mode"], "edit");
}

TEST_F(RenderSimProcessTest, HangSilencesOneTopicWhileTheOthersContinue) {
  Subscriber sub(broker_.port(), {"render/a/engine", "render/a/videoio"});
  startSim();
  ASSERT_TRUE(waitForField(sub, "render/a/videoio", "status", "ok"));
  EXPECT_EQ(command("hang videoio a"), "ok");
  // Messages published before the hang may still be on their way. The claim: engine goes
  // on for six more rounds after the last videoio message, which never happens while
  // videoio keeps being published.
  int last_videoio = 0;
  int first_engine = -1;
  int last_engine = 0;
  const auto deadline = Clock::now() + 3000ms;
  while (first_engine < 0 || last_engine < std::max(last_videoio, first_engine) + 6) {
    ASSERT_LT(Clock::now(), deadline) << "videoio did not go silent, or engine stopped too";
    const auto message = sub.next(1000ms);
    ASSERT_TRUE(message) << "engine went silent too";
    const int seq = body(*message)["seq"].get<int>();
    if (message->topic == "render/a/videoio") {
      last_videoio = std::max(last_videoio, seq);
    } else {
      first_engine = first_engine < 0 ? seq : first_engine;
      last_engine = seq;
    }
  }
  EXPECT_EQ(command("recover videoio a"), "ok");
  EXPECT_TRUE(waitForField(sub, "render/a/videoio", "status", "ok", 2000ms));
}

TEST_F(RenderSimProcessTest, DropFiresTheWillAndRecoverComesBackOnline) {
  Subscriber sub(broker_.port(), {"render/+/status", "render/a/engine"});
  startSim();
  ASSERT_TRUE(sub.waitForPayload("render/a/status", "online"));
  EXPECT_EQ(command("drop a"), "ok");
  // The broker publishes a's will: nobody sent "offline" cleanly.
  ASSERT_TRUE(sub.waitForPayload("render/a/status", "offline", 3000ms));
  // Silent while dropped: nothing more on a's engine topic for several periods.
  EXPECT_FALSE(sub.waitFor(
      "render/a/engine", [](const Message&) { return true; }, 400ms));
  answers_.clear();
  EXPECT_EQ(command("status"), "ok");
  ASSERT_EQ(answers_.size(), 2u);
  EXPECT_NE(answers_[0].find("a link=dropped"), std::string::npos) << answers_[0];
  EXPECT_NE(answers_[1].find("b link=up"), std::string::npos) << answers_[1];

  const auto recover_sent = Clock::now();
  EXPECT_EQ(command("recover a"), "ok");
  ASSERT_TRUE(sub.waitForPayload("render/a/status", "online", 3000ms));
  EXPECT_LT(Clock::now() - recover_sent, 1500ms);
  EXPECT_TRUE(waitForField(sub, "render/a/engine", "status", "ok", 2000ms));
}

TEST_F(RenderSimProcessTest, CriticalParameterAndRecover) {
  Subscriber sub(broker_.port(), {"diagnostics/a/health"});
  startSim();
  EXPECT_EQ(command("critical a gpu_temp_c 99"), "ok");
  const auto critical = waitForField(sub, "diagnostics/a/health", "status", "critical");
  ASSERT_TRUE(critical);
  EXPECT_EQ(body(*critical)["parameters"]["gpu_temp_c"]["value"], 99);
  EXPECT_EQ(body(*critical)["parameters"]["gpu_temp_c"]["level"], "critical");
  EXPECT_EQ(command("critical a pump_lpm").rfind("error", 0), 0u);
  EXPECT_EQ(command("fail engine nobody"), "error unknown machine 'nobody'");
  EXPECT_EQ(command("recover a"), "ok");
  const auto ok = waitForField(sub, "diagnostics/a/health", "status", "ok");
  ASSERT_TRUE(ok);
  EXPECT_EQ(body(*ok)["parameters"]["gpu_temp_c"]["value"], 71);
}

TEST_F(RenderSimProcessTest, CommandsOverMqttAreAnsweredOnTheReplyTopic) {
  Subscriber sub(broker_.port(), {"render/b/network", "render-sim/+/fault/reply"});
  startSim({"--control", "none"});
  // The control subscription is made right after connecting; retry until it is answered.
  std::optional<Message> reply;
  for (int attempt = 0; attempt < 5 && !reply; ++attempt) {
    publish("render-sim/b/fault", "fail network");
    reply = sub.waitForPayload("render-sim/b/fault/reply", "ok", 1000ms);
  }
  ASSERT_TRUE(reply);
  EXPECT_TRUE(waitForField(sub, "render/b/network", "status", "fail"));
  publish("render-sim/b/fault", "fail network a");
  EXPECT_TRUE(sub.waitFor("render-sim/b/fault/reply",
                          [](const Message& m) { return m.payload.rfind("error", 0) == 0; }));
  publish("render-sim/all/fault", "recover all");
  EXPECT_TRUE(sub.waitForPayload("render-sim/all/fault/reply", "ok"));
  EXPECT_TRUE(waitForField(sub, "render/b/network", "status", "ok"));
}

TEST_F(RenderSimProcessTest, DropAndRecoverOverMqttWhileTheMachineIsOffTheBroker) {
  Subscriber sub(broker_.port(), {"render/a/status", "render-sim/+/fault/reply"});
  startSim({"--control", "none"});
  ASSERT_TRUE(sub.waitForPayload("render/a/status", "online"));
  // The control subscription is made right after connecting; retry until it is answered.
  // The will and the answer may come in either order.
  bool dropped = false;
  for (int attempt = 0; attempt < 5 && !dropped; ++attempt) {
    publish("render-sim/a/fault", "drop");
    dropped = sub.waitForAll({{"render-sim/a/fault/reply", "ok"}, {"render/a/status", "offline"}},
                             1500ms);
  }
  ASSERT_TRUE(dropped);
  // Commands arrive on render-sim's own control connection, not the dropped machine's.
  publish("render-sim/a/fault", "recover");
  EXPECT_TRUE(sub.waitForAll({{"render-sim/a/fault/reply", "ok"}, {"render/a/status", "online"}}));
}

TEST_F(RenderSimProcessTest, TopicPatternsCanBeChanged) {
  Subscriber sub(broker_.port(), {"studio/#"});
  startSim({"--engine-topic", "studio/{machine}/eng", "--status-topic", "studio/{machine}/alive"});
  EXPECT_TRUE(sub.waitForAll({{"studio/a/alive", "online"}, {"studio/b/alive", "online"}}));
  EXPECT_TRUE(waitForField(sub, "studio/b/eng", "status", "ok"));
}

TEST_F(RenderSimProcessTest, CleanStopsPublishOffline) {
  for (const std::string how : {"quit", "sigterm", "duration"}) {
    SCOPED_TRACE(how);
    Subscriber sub(broker_.port(), {"render/+/status"});
    startSim(how == "duration" ? std::vector<std::string>{"--duration-s", "1"}
                               : std::vector<std::string>{});
    ASSERT_TRUE(sub.waitForAll({{"render/a/status", "online"}, {"render/b/status", "online"}}));
    std::optional<int> status;
    if (how == "quit") {
      EXPECT_EQ(command("quit"), "ok");
      status = sim_->waitForExit(5000ms);
    } else if (how == "sigterm") {
      status = sim_->stop(SIGTERM, 5000ms);
    } else {
      status = sim_->waitForExit(5000ms);
    }
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    EXPECT_TRUE(
        sub.waitForAll({{"render/a/status", "offline"}, {"render/b/status", "offline"}}, 2000ms));
  }
}

TEST_F(RenderSimProcessTest, BadFlagsExitTwo) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--machine", "a", "--rate-ms", "fast"},
                                             {"--machine", "a", "--broker", "ws://127.0.0.1:1"},
                                             {"--bogus"},
                                             {}}) {
    std::vector<std::string> argv{binaryPath("render-sim")};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess sim(argv);
    const auto status = sim.waitForExit(5000ms);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 2);
  }
}

}  // namespace
}  // namespace failover::render_sim
