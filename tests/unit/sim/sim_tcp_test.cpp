// The real videohub-sim binary over loopback TCP, seen from plain blocking sockets that send
// and read raw protocol bytes.

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "support/child_process.h"
#include "support/free_port.h"

namespace failover::sim {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using failover::testing::ChildProcess;

class Sim {
 public:
  explicit Sim(std::vector<std::string> args, const std::string& listen = "127.0.0.1:0") {
    std::vector<std::string> argv = {failover::testing::binaryPath("videohub-sim"), "--listen",
                                     listen, "--log-level", "warn"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv);
    const auto line = process_->waitForLine("listening on ", 5000ms);
    if (!line) {
      throw std::runtime_error("videohub-sim did not report its address");
    }
    port_ = failover::testing::announcedPort(*line);
  }

  uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }

  std::string command(const std::string& line) {
    if (!process_->writeLine(line)) {
      return "error stdin closed";
    }
    return process_->readLine(5000ms).value_or("error no answer");
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

// A bare protocol client: a blocking socket, reads bounded by poll timeouts.
class RawClient {
 public:
  RawClient(uint16_t port, const std::string& local_ip = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, local_ip.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      throw std::runtime_error("bind to " + local_ip + " failed");
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  // Sends what the peer accepts; false once it has closed the connection.
  bool trySend(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads until the received text contains `needle`; returns everything up to and including
  // it (the rest stays buffered), or nullopt after `timeout` or at end of stream.
  std::optional<std::string> readThrough(const std::string& needle,
                                         std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto found = buffer_.find(needle);
      if (found != std::string::npos) {
        std::string head = buffer_.substr(0, found + needle.size());
        buffer_.erase(0, found + needle.size());
        return head;
      }
      if (!readSome(deadline)) {
        return std::nullopt;
      }
    }
  }

  // Everything that arrives within `window` (for checks that something did NOT arrive).
  std::string drain(std::chrono::milliseconds window) {
    const auto deadline = Clock::now() + window;
    while (readSome(deadline)) {
    }
    std::string all = std::move(buffer_);
    buffer_.clear();
    return all;
  }

  // True when the peer closed the connection before `timeout`.
  bool waitForClose(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (readSome(deadline)) {
    }
    return eof_;
  }

  size_t reads() const { return reads_; }
  size_t largestRead() const { return largest_read_; }

 private:
  bool readSome(Clock::time_point deadline) {
    if (eof_) {
      return false;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd descriptor{fd_, POLLIN, 0};
    if (::poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    char chunk[65536];
    const ssize_t size = ::recv(fd_, chunk, sizeof chunk, 0);
    if (size <= 0) {
      eof_ = true;
      return false;
    }
    ++reads_;
    largest_read_ = std::max(largest_read_, static_cast<size_t>(size));
    buffer_.append(chunk, static_cast<size_t>(size));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
  size_t reads_ = 0;
  size_t largest_read_ = 0;
};

constexpr const char* kEnd = "END PRELUDE:\n\n";

TEST(SimTcp, PreludeThenRouteIsAckedAndEchoedToEveryClient) {
  Sim sim({"--inputs", "8", "--outputs", "8"});
  RawClient a(sim.port());
  RawClient b(sim.port());
  const auto prelude = a.readThrough(kEnd);
  ASSERT_TRUE(prelude);
  EXPECT_EQ(prelude->rfind("PROTOCOL PREAMBLE:\nVersion: 2.8\n\nVIDEOHUB DEVICE:\n", 0), 0u);
  EXPECT_NE(prelude->find("Video outputs: 8\n"), std::string::npos);
  ASSERT_TRUE(b.readThrough(kEnd));

  a.send("VIDEO OUTPUT ROUTING:\n3 5\n\n");
  EXPECT_EQ(a.readThrough("VIDEO OUTPUT ROUTING:\n3 5\n\n"),
            "ACK\n\nVIDEO OUTPUT ROUTING:\n3 5\n\n");
  EXPECT_EQ(b.readThrough("VIDEO OUTPUT ROUTING:\n3 5\n\n"), "VIDEO OUTPUT ROUTING:\n3 5\n\n");
  EXPECT_EQ(sim.command("status"),
            "ok inputs=8 outputs=8 clients=2 routes=1:1,2:2,3:3,4:6,5:5,6:6,7:7,8:8");
}

TEST(SimTcp, LockFromOneIpReadsLFromAnotherAndBlocksItsRoute) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient owner(sim.port(), "127.0.0.1");
  RawClient other(sim.port(), "127.0.0.2");
  ASSERT_TRUE(owner.readThrough(kEnd));
  ASSERT_TRUE(other.readThrough(kEnd));

  owner.send("VIDEO OUTPUT LOCKS:\n2 O\n\n");
  EXPECT_EQ(owner.readThrough("2 O\n\n"), "ACK\n\nVIDEO OUTPUT LOCKS:\n2 O\n\n");
  EXPECT_EQ(other.readThrough("2 L\n\n"), "VIDEO OUTPUT LOCKS:\n2 L\n\n");

  other.send("VIDEO OUTPUT ROUTING:\n2 0\n\n");
  EXPECT_EQ(other.readThrough("\n\n"), "NAK\n\n");
  other.send("VIDEO OUTPUT LOCKS:\n2 F\n\n");
  EXPECT_EQ(other.readThrough("2 U\n\n"), "ACK\n\nVIDEO OUTPUT LOCKS:\n2 U\n\n");
  EXPECT_EQ(owner.readThrough("2 U\n\n"), "VIDEO OUTPUT LOCKS:\n2 U\n\n");
}

TEST(SimTcp, ControlChannelChangesAreBroadcast) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("wait-clients 1 3000"), "ok");
  EXPECT_EQ(sim.command("route 1 3"), "ok");
  EXPECT_EQ(client.readThrough("0 2\n\n"), "VIDEO OUTPUT ROUTING:\n0 2\n\n");
  EXPECT_EQ(sim.command("label output 2 Program Out"), "ok");
  EXPECT_EQ(client.readThrough("\n\n"), "OUTPUT LABELS:\n1 Program Out\n\n");
  EXPECT_EQ(sim.command("lock 4 127.0.0.9"), "ok");
  EXPECT_EQ(client.readThrough("\n\n"), "VIDEO OUTPUT LOCKS:\n3 L\n\n");
  EXPECT_EQ(sim.command("route 9 1").rfind("error ", 0), 0u);
  EXPECT_EQ(sim.command("clients"), "ok 1");
  EXPECT_EQ(sim.command("wait-clients 2 50"), "error timeout");
}

TEST(SimTcp, SilentSendsNothingAndKeepsTheConnection) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("silent on"), "ok");
  client.send("PING:\n\n");
  EXPECT_EQ(sim.command("route 1 2"), "ok");
  EXPECT_EQ(client.drain(300ms), "");
  EXPECT_EQ(sim.command("clients"), "ok 1");
  EXPECT_EQ(sim.command("silent off"), "ok");
  client.send("PING:\n\n");
  EXPECT_EQ(client.readThrough("\n\n"), "ACK\n\n");
}

TEST(SimTcp, WithheldAcksStillApplyAndEcho) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("withhold-acks on"), "ok");
  client.send("VIDEO OUTPUT ROUTING:\n0 3\n\n");
  EXPECT_EQ(client.readThrough("0 3\n\n"), "VIDEO OUTPUT ROUTING:\n0 3\n\n");
  client.send("PING:\n\n");
  EXPECT_EQ(client.drain(300ms), "");
  EXPECT_EQ(sim.command("withhold-acks off"), "ok");
  client.send("PING:\n\n");
  EXPECT_EQ(client.readThrough("\n\n"), "ACK\n\n");
}

TEST(SimTcp, CloseDropsClientsButKeepsListening) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("close"), "ok");
  EXPECT_TRUE(client.waitForClose(3000ms));
  RawClient again(sim.port());
  EXPECT_TRUE(again.readThrough(kEnd));
}

// One client's network gone: its connection closed and new ones from it closed at once,
// while another address stays connected.
TEST(SimTcp, RefuseCutsOneClientAddressOnly) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient cut(sim.port(), "127.0.0.2");
  RawClient kept(sim.port(), "127.0.0.3");
  ASSERT_TRUE(cut.readThrough(kEnd));
  ASSERT_TRUE(kept.readThrough(kEnd));
  EXPECT_EQ(sim.command("refuse 127.0.0.2 on"), "ok");
  EXPECT_TRUE(cut.waitForClose(3000ms));
  RawClient again(sim.port(), "127.0.0.2");
  EXPECT_TRUE(again.waitForClose(3000ms));
  kept.send("PING:\n\n");
  EXPECT_EQ(kept.readThrough("\n\n"), "ACK\n\n");
  EXPECT_EQ(sim.command("refuse 127.0.0.2 off"), "ok");
  RawClient back(sim.port(), "127.0.0.2");
  EXPECT_TRUE(back.readThrough(kEnd));
}

TEST(SimTcp, SplitWritesArriveInSmallPieces) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("split-writes 4"), "ok");
  const size_t reads_before = client.reads();
  client.send("VIDEO OUTPUT ROUTING:\n0 3\n\n");
  EXPECT_EQ(client.readThrough("0 3\n\n"), "ACK\n\nVIDEO OUTPUT ROUTING:\n0 3\n\n");
  // 32 bytes in 4-byte writes about 1 ms apart: a poll-driven reader sees several pieces.
  EXPECT_GE(client.reads() - reads_before, 3u);
  EXPECT_EQ(sim.command("split-writes off"), "ok");
}

TEST(SimTcp, BurstLimitAcksEverythingButAppliesOnlyTheFirstBlocks) {
  Sim sim({"--inputs", "8", "--outputs", "8"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("burst-limit 2 60000"), "ok");
  client.send(
      "VIDEO OUTPUT ROUTING:\n0 7\n\nVIDEO OUTPUT ROUTING:\n1 7\n\n"
      "VIDEO OUTPUT ROUTING:\n2 7\n\nVIDEO OUTPUT ROUTING:\n3 7\n\n");
  EXPECT_EQ(client.readThrough("ACK\n\nACK\n\n"),
            "ACK\n\nVIDEO OUTPUT ROUTING:\n0 7\n\nACK\n\nVIDEO OUTPUT ROUTING:\n1 7\n\n"
            "ACK\n\nACK\n\n");
  EXPECT_EQ(sim.command("status"),
            "ok inputs=8 outputs=8 clients=1 routes=1:8,2:8,3:3,4:4,5:5,6:6,7:7,8:8");
}

TEST(SimTcp, AckDelayHoldsTheAnswer) {
  Sim sim({"--inputs", "4", "--outputs", "4", "--ack-delay-ms", "300"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  const auto start = Clock::now();
  client.send("PING:\n\n");
  EXPECT_EQ(client.readThrough("\n\n"), "ACK\n\n");
  EXPECT_GE(Clock::now() - start, 250ms);
}

TEST(SimTcp, DeviceAbsentAndRedumpReachConnectedClients) {
  Sim sim({"--inputs", "4", "--outputs", "4", "--end-prelude", "off", "--block-order", "manual"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough("VIDEO OUTPUT LOCKS:\n0 U\n1 U\n2 U\n3 U\n\n"));
  EXPECT_EQ(sim.command("device-present false"), "ok");
  const auto device = client.readThrough("\n\n");
  ASSERT_TRUE(device);
  EXPECT_NE(device->find("Device present: false\n"), std::string::npos) << *device;
  EXPECT_EQ(device->find("Video outputs"), std::string::npos) << *device;
  EXPECT_EQ(sim.command("device-present true"), "ok");
  EXPECT_EQ(sim.command("redump 6 5"), "ok");
  const auto redump = client.readThrough("VIDEO OUTPUT LOCKS:\n0 U\n1 U\n2 U\n3 U\n4 U\n\n");
  ASSERT_TRUE(redump);
  EXPECT_NE(redump->rfind("VIDEOHUB DEVICE:\nDevice present: true\n"), std::string::npos);
  EXPECT_NE(redump->rfind("Video outputs: 5\n"), std::string::npos);
  EXPECT_EQ(redump->find("PROTOCOL PREAMBLE"), std::string::npos);
}

TEST(SimTcp, CoalescePacksSeveralBlocksIntoOneWrite) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("coalesce 500"), "ok");
  const size_t reads_before = client.reads();
  EXPECT_EQ(sim.command("route 1 2"), "ok");
  EXPECT_EQ(sim.command("route 2 3"), "ok");
  EXPECT_EQ(client.readThrough("1 2\n\n"),
            "VIDEO OUTPUT ROUTING:\n0 1\n\nVIDEO OUTPUT ROUTING:\n1 2\n\n");
  EXPECT_EQ(client.reads() - reads_before, 1u);
}

TEST(SimTcp, LargeRouterPreludeArrivesQuickly) {
  Sim sim({"--inputs", "288", "--outputs", "288"});
  const auto start = Clock::now();
  RawClient client(sim.port());
  const auto prelude = client.readThrough(kEnd, 5000ms);
  ASSERT_TRUE(prelude);
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_NE(prelude->find("\n287 287\n\nCONFIGURATION:"), std::string::npos);
  EXPECT_NE(prelude->find("\n287 Output 288\n"), std::string::npos);
}

TEST(SimTcp, RouteBeforeAckReachesTheRequesterBeforeItsAck) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  EXPECT_EQ(sim.command("route-before-ack 4 1"), "ok");
  client.send("VIDEO OUTPUT ROUTING:\n0 2\n\n");
  EXPECT_EQ(client.readThrough("0 2\n\n"),
            "VIDEO OUTPUT ROUTING:\n3 0\n\nACK\n\nVIDEO OUTPUT ROUTING:\n0 2\n\n");
  // One-shot: the next request is answered plainly.
  client.send("PING:\n\n");
  EXPECT_EQ(client.readThrough("\n\n"), "ACK\n\n");
  EXPECT_EQ(sim.command("route-before-ack 9 1").rfind("error ", 0), 0u);
}

TEST(SimTcp, MalformedBlocksAreNakedAndTheNextBlockIsJudgedOnItsOwn) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  client.send("VIDEO OUTPUT ROUTING:\n0 1\nbogus\n\n");
  EXPECT_EQ(client.readThrough("\n\n"), "NAK\n\n");
  // CRLF input, delivered one byte at a time.
  for (const char c : std::string("VIDEO OUTPUT ROUTING:\r\n0 2\r\n\r\n")) {
    client.send(std::string(1, c));
  }
  EXPECT_EQ(client.readThrough("0 2\n\n"), "ACK\n\nVIDEO OUTPUT ROUTING:\n0 2\n\n");
  EXPECT_EQ(sim.command("status"), "ok inputs=4 outputs=4 clients=1 routes=1:3,2:2,3:3,4:4");
}

TEST(SimTcp, LocksSurviveTheOwnersDisconnect) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  {
    RawClient owner(sim.port(), "127.0.0.1");
    ASSERT_TRUE(owner.readThrough(kEnd));
    owner.send("VIDEO OUTPUT LOCKS:\n1 O\n\n");
    ASSERT_TRUE(owner.readThrough("1 O\n\n"));
  }
  RawClient same_host(sim.port(), "127.0.0.1");
  RawClient other_host(sim.port(), "127.0.0.3");
  const auto mine = same_host.readThrough(kEnd);
  const auto theirs = other_host.readThrough(kEnd);
  ASSERT_TRUE(mine && theirs);
  EXPECT_NE(mine->find("VIDEO OUTPUT LOCKS:\n0 U\n1 O\n"), std::string::npos);
  EXPECT_NE(theirs->find("VIDEO OUTPUT LOCKS:\n0 U\n1 L\n"), std::string::npos);
}

TEST(SimTcp, ARunawayRequestDropsTheClient) {
  Sim sim({"--inputs", "4", "--outputs", "4"});
  RawClient client(sim.port());
  ASSERT_TRUE(client.readThrough(kEnd));
  std::string chunk;
  while (chunk.size() < 64 * 1024) {
    chunk += "0 a label that goes on and on\n";
  }
  // The block never ends; the simulator stops reading it after 1 MiB.
  ASSERT_TRUE(client.trySend("INPUT LABELS:\n"));
  for (int i = 0; i < 20 && client.trySend(chunk); ++i) {
  }
  EXPECT_TRUE(client.waitForClose(5000ms));
  EXPECT_EQ(sim.command("clients"), "ok 0");
}

TEST(SimTcp, ManyClientsAllHearEveryChange) {
  Sim sim({"--inputs", "40", "--outputs", "40"});
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(std::make_unique<RawClient>(sim.port()));
  }
  EXPECT_EQ(sim.command("wait-clients 40 5000"), "ok");
  for (auto& client : clients) {
    ASSERT_TRUE(client->readThrough(kEnd));
  }
  clients[7]->send("VIDEO OUTPUT ROUTING:\n12 30\n\n");
  for (auto& client : clients) {
    EXPECT_TRUE(client->readThrough("VIDEO OUTPUT ROUTING:\n12 30\n\n"));
  }
}

TEST(SimTcp, RestartsOnTheSamePortAtOnce) {
  uint16_t port = 0;
  {
    Sim first({"--inputs", "2", "--outputs", "2"});
    port = first.port();
    RawClient client(port);
    ASSERT_TRUE(client.readThrough(kEnd));
    EXPECT_EQ(first.command("quit"), "ok");
    EXPECT_TRUE(client.waitForClose(3000ms));
    const auto status = first.process().waitForExit(3000ms);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  }
  Sim second({"--inputs", "2", "--outputs", "2"}, "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(second.port(), port);
  RawClient client(port);
  EXPECT_TRUE(client.readThrough(kEnd));
}

TEST(SimTcp, TcpControlChannelAnswersOnItsSocket) {
  Sim sim({"--inputs", "2", "--outputs", "2", "--control", "127.0.0.1:0"});
  const auto line = sim.process().waitForLine("control on ", 3000ms);
  ASSERT_TRUE(line);
  const uint16_t control_port = failover::testing::announcedPort(*line);
  RawClient control(control_port);
  control.send("clients\nroute 2 1\nbogus\n");
  EXPECT_EQ(control.readThrough("\n"), "ok 0\n");
  EXPECT_EQ(control.readThrough("\n"), "ok\n");
  const auto error = control.readThrough("\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rfind("error ", 0), 0u);
}

TEST(SimTcp, BadFlagsExitWithAMessage) {
  ChildProcess process({failover::testing::binaryPath("videohub-sim"), "--inputs", "0"});
  const auto status = process.waitForExit(3000ms);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);
}

}  // namespace
}  // namespace failover::sim
