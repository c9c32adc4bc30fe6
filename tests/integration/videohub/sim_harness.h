#pragma once

// Test harness: a videohub-sim child process driven through its stdin control channel, and
// helpers to run an io_context until something happened (bounded, never a sleep).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "failover/videohub_client/videohub_client.h"
#include "support/child_process.h"
#include "support/run_until.h"

namespace failover::videohub_client::testing {

using namespace std::chrono_literals;

class SimProcess {
 public:
  // Starts videohub-sim on 127.0.0.1 port 0 with `args` and waits for its address line.
  explicit SimProcess(std::vector<std::string> args);
  ~SimProcess();

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Sends one control command and returns its answer line ("ok ..." or "error ...").
  std::string command(const std::string& line);

 private:
  failover::testing::ChildProcess process_;
  uint16_t port_ = 0;
};

using failover::testing::runUntil;  // support/run_until.h

// Short timeouts so fault tests are fast, yet an ACK on a busy machine is not missed.
ClientOptions fastOptions(uint16_t port);

// What one sendRoutes() block reported, in order.
struct BlockReports {
  std::vector<core::BlockOutcome> outcomes;
  // True once the last report came (anything but BlockSent).
  bool done() const;
};

// The reports as short words for assertions: "sent", "acknowledged", "lost", and
// "refused <reason>" with core::toString(reason), e.g. "refused out_of_range".
std::vector<std::string> describe(const BlockReports& reports);

// A client plus what it observed.
struct ObservedClient {
  ObservedClient(asio::io_context& io, ClientOptions options);
  bool waitFor(ConnectionState state, std::chrono::milliseconds timeout = 3000ms);
  // Sends one routing block and returns where its reports land (shared, so a report that
  // comes after a timed-out wait finds live storage).
  std::shared_ptr<BlockReports> send(std::vector<core::Route> routes);
  // Sends one routing block and runs until its last report; describe() of the reports.
  std::vector<std::string> route(std::vector<core::Route> routes,
                                 std::chrono::milliseconds timeout = 3000ms);
  // Takes the locks on `outputs` (lockOutputs) and returns where its reports land.
  std::shared_ptr<BlockReports> sendLocks(std::vector<int> outputs);
  // Takes the locks on `outputs` and runs until the last report; describe() of the reports.
  std::vector<std::string> lock(std::vector<int> outputs,
                                std::chrono::milliseconds timeout = 3000ms);
  // Runs until the client's mirror shows every route: the router's updates are the truth.
  bool waitForRouting(const std::vector<core::Route>& routes,
                      std::chrono::milliseconds timeout = 3000ms);

  // Runs until the last report of `reports`; describe() of them, plus "no last report" when
  // it did not come within `timeout`.
  std::vector<std::string> awaitLastReport(const std::shared_ptr<BlockReports>& reports,
                                           std::chrono::milliseconds timeout);

  asio::io_context& io;
  std::vector<ConnectionEvent> events;
  std::vector<StateChange> changes;
  std::unique_ptr<VideohubClient> client;
};

}  // namespace failover::videohub_client::testing
