// failover-node --test-connection run as a process against the simulator and against peers
// that refuse, never speak, or have no router hardware.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "sim_harness.h"
#include "support/child_process.h"
#include "support/free_port.h"

namespace failover::videohub_client::testing {
namespace {

struct RunResult {
  int exit_code = -1;
  std::vector<std::string> lines;  // stdout and stderr, merged
  std::chrono::milliseconds elapsed{0};
};

RunResult runTestConnection(const std::vector<std::string>& args) {
  std::string command =
      "exec '" + failover::testing::binaryPath("failover-node") + "' --test-connection";
  for (const auto& arg : args) {
    command += " '" + arg + "'";
  }
  command += " 2>&1";
  const auto start = std::chrono::steady_clock::now();
  failover::testing::ChildProcess process({"/bin/sh", "-c", command});
  RunResult result;
  while (auto line = process.readLine(10000ms)) {
    result.lines.push_back(*line);
  }
  const auto status = process.waitForExit(10000ms);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (status && WIFEXITED(*status)) {
    result.exit_code = WEXITSTATUS(*status);
  }
  return result;
}

bool contains(const RunResult& r, const std::string& text) {
  for (const auto& line : r.lines) {
    if (line.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(TestConnectionTest, ReportsAPresentRouter) {
  SimProcess sim({"--inputs", "12", "--outputs", "6", "--model", "Blackmagic Smart Videohub 12x12",
                  "--friendly-name", "Lab Router", "--protocol", "2.7", "--lock", "3=127.0.0.9"});
  ASSERT_EQ(sim.command("route 2 9").rfind("ok", 0), 0u);
  const RunResult r = runTestConnection({sim.address()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r, "2.7"));
  EXPECT_TRUE(contains(r, "Blackmagic Smart Videohub 12x12"));
  EXPECT_TRUE(contains(r, "Lab Router"));
  EXPECT_TRUE(contains(r, "inputs:           12"));
  EXPECT_TRUE(contains(r, "outputs:          6"));
  EXPECT_TRUE(contains(r, "3 L (another client)"));
}

TEST(TestConnectionTest, JsonIsOneParsableObject) {
  SimProcess sim({"--inputs", "4", "--outputs", "4", "--friendly-name", "Lab Router", "--lock",
                  "1=127.0.0.1", "--lock", "4=127.0.0.9"});
  const RunResult r = runTestConnection({sim.address(), "--json"});
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 1u);
  const auto report = nlohmann::json::parse(r.lines[0], nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.lines[0];
  EXPECT_EQ(report["present"], true);
  EXPECT_EQ(report["friendly_name"], "Lab Router");
  EXPECT_EQ(report["inputs"], 4);
  EXPECT_EQ(report["outputs"], 4);
  ASSERT_EQ(report["locked_outputs"].size(), 2u);
  EXPECT_EQ(report["locked_outputs"][0]["output"], 1);
  EXPECT_EQ(report["locked_outputs"][0]["held_by"], "this_host");
  EXPECT_EQ(report["locked_outputs"][1]["output"], 4);
  EXPECT_EQ(report["locked_outputs"][1]["held_by"], "other");
}

// A facility written for a 40x40 router, checked against a 12x6 one with a lock on it.
// `router_keys` are added to the router's settings (", key: value").
std::string facilityFor(const std::string& router_address, const std::string& router_keys = "") {
  std::string name = router_address + (router_keys.empty() ? "" : "-keys");
  std::replace(name.begin(), name.end(), ':', '-');
  const std::string path = ::testing::TempDir() + "facility-" + name + ".yaml";
  std::ofstream file(path);
  file << "routers:\n"
       << "  vh1: { address: " << router_address << router_keys << " }\n"
       << "machines:\n"
       << "  ar-main: { inputs: { fill: 1, key: 2 } }\n"
       << "  ar-backup: { inputs: { fill: 3, key: 14 } }\n"
       << "  cam-main: { input: 5 }\n"
       << "  cam-backup: { input: 6 }\n"
       << "  tally-main: { input: 7 }\n"
       << "  tally-backup: { input: 8 }\n"
       << "pairs:\n"
       << "  ar: { router: vh1, main: ar-main, backup: ar-backup, "
          "outputs: { fill: [1], key: [2] } }\n"
       << "  cam: { router: vh1, main: cam-main, backup: cam-backup, outputs: [3, 9] }\n"
       << "  tally: { router: vh1, main: tally-main, backup: tally-backup, outputs: [4] }\n";
  return path;
}

TEST(TestConnectionTest, AConfigurationIsCheckedAgainstTheRoutersRealSizeAndLocks) {
  SimProcess sim({"--inputs", "12", "--outputs", "6", "--lock", "4=127.0.0.9"});
  const std::string config = facilityFor(sim.address());
  const RunResult r = runTestConnection({"--config", config});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r, "router vh1 at " + sim.address() + ": ")) << r.lines.size();
  EXPECT_TRUE(contains(r, "12 inputs, 6 outputs"));
  EXPECT_TRUE(contains(r, "input 14 (ar-backup key) is beyond the router's 12 inputs"));
  EXPECT_TRUE(contains(r, "output 9 is beyond the router's 6 outputs"));
  EXPECT_TRUE(contains(r, "output 4 is locked by another client (and force_unlock is off)"));
  EXPECT_TRUE(contains(r, "NOT OK"));

  const RunResult json = runTestConnection({"--config", config, "--json"});
  ASSERT_EQ(json.lines.size(), 1u);
  const auto report = nlohmann::json::parse(json.lines[0], nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << json.lines[0];
  EXPECT_EQ(report["ok"], false);
  const auto& pairs = report["routers"][0]["pairs"];
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0]["id"], "ar");
  EXPECT_EQ(pairs[0]["ok"], false);
  EXPECT_EQ(pairs[1]["problems"].size(), 1u);
  EXPECT_EQ(pairs[2]["ok"], false);
  std::remove(config.c_str());
}

TEST(TestConnectionTest, AConfigurationThatFitsIsExitZero) {
  SimProcess sim({"--inputs", "40", "--outputs", "40"});
  const std::string config = facilityFor(sim.address());
  const RunResult r = runTestConnection({"--config", config});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r, "  pair ar: ok"));
  EXPECT_TRUE(contains(r, "OK: every router is present and every pair fits"));
  std::remove(config.c_str());
}

// A node that locks its outputs forces other clients' locks off before it routes: a lock is
// not in the way.
TEST(TestConnectionTest, ALockIsNoObstacleWhenTheRouterLocksItsOutputs) {
  SimProcess sim({"--inputs", "40", "--outputs", "40", "--lock", "4=127.0.0.9"});
  const std::string config = facilityFor(sim.address(), ", lock_outputs: true");
  const RunResult r = runTestConnection({"--config", config});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(contains(r, "is locked by another client"));
  EXPECT_TRUE(contains(r, "  pair tally: ok"));
  std::remove(config.c_str());
}

TEST(TestConnectionTest, ARefusedPortIsOneLineAndExitOne) {
  const uint16_t port = failover::testing::pickFreePort();
  const RunResult r = runTestConnection({"127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find("refused"), std::string::npos) << r.lines[0];
}

TEST(TestConnectionTest, APeerThatNeverSpeaksTimesOutWithinTheBound) {
  // A listening socket that is never accepted: the kernel completes the handshake, nothing
  // is ever sent.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  const RunResult r =
      runTestConnection({"127.0.0.1:" + std::to_string(port), "--timeout-ms", "300"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find("timeout"), std::string::npos) << r.lines[0];
  EXPECT_LT(r.elapsed, 2000ms);
}

TEST(TestConnectionTest, AnAbsentDeviceIsExitOneWithTheReason) {
  SimProcess sim({"--device-present", "needs_update"});
  const RunResult r = runTestConnection({sim.address()});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find("needs_update"), std::string::npos) << r.lines[0];
}

TEST(TestConnectionTest, APeerThatIsNotAVideohubIsExitOne) {
  // A MultiView speaks the same framing on the same port, with its own device block.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::tcp::socket peer(io);
  const std::string dump =
      "PROTOCOL PREAMBLE:\nVersion: 2.3\n\nMULTIVIEW DEVICE:\nDevice present: true\n"
      "Model name: Blackmagic MultiView 16\n\n";
  std::array<char, 256> sink{};
  acceptor.async_accept(peer, [&](const asio::error_code& ec) {
    if (!ec) {
      asio::async_write(peer, asio::buffer(dump), [&](const asio::error_code&, size_t) {
        peer.async_read_some(asio::buffer(sink), [](const asio::error_code&, size_t) {});
      });
    }
  });
  const auto port = acceptor.local_endpoint().port();
  std::thread server([&] { io.run_for(5000ms); });
  const RunResult r = runTestConnection({"127.0.0.1:" + std::to_string(port)});
  io.stop();
  server.join();
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find("not a Videohub"), std::string::npos) << r.lines[0];
}

TEST(TestConnectionTest, AHostNameIsResolved) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  const RunResult r = runTestConnection({"localhost:" + std::to_string(sim.port()), "--json"});
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find("\"present\":true"), std::string::npos) << r.lines[0];
}

TEST(TestConnectionTest, ABadAddressIsExitOne) {
  const RunResult r = runTestConnection({"127.0.0.1:notaport"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find("bad address"), std::string::npos) << r.lines[0];
}

}  // namespace
}  // namespace failover::videohub_client::testing
