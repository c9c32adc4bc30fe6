// SimServer in-process: binding, and the ordering rules of the control channel.

#include "failover/sim/sim_server.h"

#include <chrono>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "failover/sim/control_channel.h"

namespace failover::sim {
namespace {

using namespace std::chrono_literals;

SimOptions loopbackOptions() {
  SimOptions options;
  options.listen_port = 0;
  options.control = ControlMode::None;
  options.router.inputs = 4;
  options.router.outputs = 4;
  return options;
}

// Runs the io_context until `count` answers arrived, bounded by a deadline.
bool runUntilAnswers(asio::io_context& io, const std::vector<std::string>& answers, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (answers.size() < count && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(20ms);
  }
  return answers.size() >= count;
}

TEST(SimServer, BindsAnEphemeralLoopbackPort) {
  asio::io_context io;
  SimServer server(io, loopbackOptions());
  ASSERT_TRUE(server.start().isOk());
  EXPECT_NE(server.listenEndpoint().port(), 0);
  EXPECT_TRUE(server.listenEndpoint().address().is_loopback());
  EXPECT_FALSE(server.controlEndpoint().has_value());
}

TEST(SimServer, ABusyPortIsAnErrorNamingTheAddress) {
  asio::io_context io;
  SimServer first(io, loopbackOptions());
  ASSERT_TRUE(first.start().isOk());
  auto options = loopbackOptions();
  options.listen_port = first.listenEndpoint().port();
  SimServer second(io, options);
  const auto status = second.start();
  EXPECT_FALSE(status.isOk());
  EXPECT_NE(status.message().find(std::to_string(options.listen_port)), std::string::npos)
      << status.message();
}

TEST(ControlChannel, WaitClientsHoldsBackTheCommandsAfterIt) {
  asio::io_context io;
  SimServer server(io, loopbackOptions());
  ASSERT_TRUE(server.start().isOk());
  std::vector<std::string> answers;
  auto channel = std::make_shared<ControlChannel>(
      server, [&](const std::string& answer) { answers.push_back(answer); });
  channel->submit("wait-clients 1 100");
  channel->submit("# a comment, not answered");
  channel->submit("");
  channel->submit("route 1 2");
  channel->submit("status");
  EXPECT_TRUE(answers.empty());  // the wait has not ended yet
  ASSERT_TRUE(runUntilAnswers(io, answers, 3));
  EXPECT_EQ(answers, (std::vector<std::string>{"error timeout", "ok",
                                               "ok inputs=4 outputs=4 clients=0 "
                                               "routes=1:2,2:2,3:3,4:4"}));
}

TEST(ControlChannel, QuitStopsTheServer) {
  asio::io_context io;
  SimServer server(io, loopbackOptions());
  ASSERT_TRUE(server.start().isOk());
  std::vector<std::string> answers;
  auto channel = std::make_shared<ControlChannel>(
      server, [&](const std::string& answer) { answers.push_back(answer); });
  channel->submit("quit");
  EXPECT_EQ(answers, (std::vector<std::string>{"ok"}));
  EXPECT_TRUE(server.stopped());
  EXPECT_TRUE(io.stopped());
}

}  // namespace
}  // namespace failover::sim
