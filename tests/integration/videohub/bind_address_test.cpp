// routers.<id>.bind_address: the connection to the router leaves from that address. Checked
// from the router's side: videohub-sim logs the address of every client, and a lock belongs
// to the address that set it.

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "support/child_process.h"
#include "support/free_port.h"
#include "support/temp_dir.h"

namespace failover::testing {
namespace {

using namespace std::chrono_literals;

// Reads lines until one contains `text`; nullopt when the process is silent for `timeout`.
std::optional<std::string> waitForText(ChildProcess& process, const std::string& text,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto line = process.readLine(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!line) {
      return std::nullopt;
    }
    if (line->find(text) != std::string::npos) {
      return line;
    }
  }
  return std::nullopt;
}

// videohub-sim on 127.0.0.1 with its log on the same pipe as its address line.
struct LoggingSim {
  explicit LoggingSim(const std::vector<std::string>& args = {})
      : process([&] {
          std::string command =
              "exec '" + binaryPath("videohub-sim") + "' --listen 127.0.0.1:0 --log-level debug";
          for (const auto& arg : args) {
            command += " '" + arg + "'";
          }
          return std::vector<std::string>{"/bin/sh", "-c", command + " 2>&1"};
        }()) {
    const auto line = waitForText(process, "listening on ", 5000ms);
    if (line) {
      port = announcedPort(line->substr(line->find("listening on ")));
    }
  }
  ~LoggingSim() { (void)process.stop(SIGTERM, 2000ms); }

  ChildProcess process;
  uint16_t port = 0;
};

std::string writeNodeConfig(const TempDir& dir, const std::string& node_id, uint16_t router_port,
                            const std::string& bind_address, const std::string& extra = "") {
  const std::string path = dir.file(node_id + ".yaml");
  std::ofstream file(path);
  // No broker listens there: the router connection does not wait for one.
  file << "node_id: " << node_id << "\n"
       << "mqtt: { server: 'tcp://127.0.0.1:" << pickFreePort() << "' }\n"
       << "homeassistant: { enabled: false }\n"
       << "routers:\n"
       << "  vh1: { address: '127.0.0.1:" << router_port << "', bind_address: '" << bind_address
       << "' }\n"
       << "machines: { a-main: { input: 1 }, a-backup: { input: 2 } }\n"
       << "pairs: { a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] } }\n"
       << extra;
  return path;
}

ChildProcess runNode(const std::string& config) {
  return ChildProcess({"/bin/sh", "-c",
                       "exec '" + binaryPath("failover-node") + "' --config '" + config +
                           "' --log-level debug 2>&1"});
}

TEST(BindAddressTest, TwoNodesReachTheRouterFromTheirOwnAddresses) {
  LoggingSim sim;
  ASSERT_NE(sim.port, 0);
  TempDir dir;
  ChildProcess first = runNode(writeNodeConfig(dir, "fo1", sim.port, "127.0.0.2"));
  EXPECT_TRUE(waitForText(sim.process, "client connected peer=127.0.0.2:", 10000ms));
  ChildProcess second = runNode(writeNodeConfig(dir, "fo2", sim.port, "127.0.0.3"));
  EXPECT_TRUE(waitForText(sim.process, "client connected peer=127.0.0.3:", 10000ms));
  EXPECT_TRUE(first.running());
  EXPECT_TRUE(second.running());
}

TEST(BindAddressTest, AnAddressThatCannotBeBoundIsAConnectionErrorNotACrash) {
  LoggingSim sim;
  ASSERT_NE(sim.port, 0);
  TempDir dir;
  // An IPv6 source for an IPv4 router: the bind fails on every attempt.
  ChildProcess node = runNode(writeNodeConfig(dir, "fo1", sim.port, "::1"));
  const auto line = waitForText(node, "cannot bind to the local address ::1", 10000ms);
  EXPECT_TRUE(line);
  // Retried with backoff, and the node is still running.
  EXPECT_TRUE(waitForText(node, "cannot bind to the local address ::1", 10000ms));
  EXPECT_TRUE(node.running());
}

// A node of a cluster starts as a standby and says so.
TEST(BindAddressTest, ANodeWithAClusterSectionStandsByUntilElected) {
  LoggingSim sim;
  ASSERT_NE(sim.port, 0);
  TempDir dir;
  ChildProcess node = runNode(
      writeNodeConfig(dir, "fo1", sim.port, "127.0.0.2", "cluster: { id: studio, rank: 1 }\n"));
  EXPECT_TRUE(waitForText(node, "standing by until elected", 10000ms));
}

// --test-connection --config: the probe leaves from bind_address too. The router holds a lock
// set from 127.0.0.9; seen from that address it is this host's own lock, not in the way.
TEST(BindAddressTest, TestConnectionConnectsFromTheBindAddress) {
  LoggingSim sim({"--inputs", "4", "--outputs", "4", "--lock", "1=127.0.0.9"});
  ASSERT_NE(sim.port, 0);
  TempDir dir;
  for (const std::string address : {"127.0.0.9", "127.0.0.4"}) {
    ChildProcess probe({"/bin/sh", "-c",
                        "exec '" + binaryPath("failover-node") + "' --test-connection --config '" +
                            writeNodeConfig(dir, "fo1", sim.port, address) + "' 2>&1"});
    const bool locked = waitForText(probe, "locked by another client", 10000ms).has_value();
    const auto status = probe.waitForExit(10000ms);
    ASSERT_TRUE(status && WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), address == "127.0.0.9" ? 0 : 1) << address;
    EXPECT_EQ(locked, address != "127.0.0.9") << address;
    EXPECT_TRUE(waitForText(sim.process, "client connected peer=" + address + ":", 5000ms));
  }
}

}  // namespace
}  // namespace failover::testing
