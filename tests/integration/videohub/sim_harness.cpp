#include "sim_harness.h"

#include <algorithm>
#include <csignal>
#include <stdexcept>

#include "support/free_port.h"

namespace failover::videohub_client::testing {

SimProcess::SimProcess(std::vector<std::string> args)
    : process_([&] {
        std::vector<std::string> argv = {failover::testing::binaryPath("videohub-sim"), "--listen",
                                         "127.0.0.1:0"};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
      }()) {
  const auto line = process_.waitForLine("listening on ", 5000ms);
  if (!line) {
    throw std::runtime_error("videohub-sim did not report its address");
  }
  port_ = failover::testing::announcedPort(*line);
}

SimProcess::~SimProcess() {
  (void)process_.stop(SIGTERM, 2000ms);
}

std::string SimProcess::command(const std::string& line) {
  if (!process_.writeLine(line)) {
    return "error stdin closed";
  }
  for (int i = 0; i < 100; ++i) {
    const auto answer = process_.readLine(3000ms);
    if (!answer) {
      return "error no answer";
    }
    if (answer->rfind("ok", 0) == 0 || answer->rfind("error", 0) == 0) {
      return *answer;
    }
  }
  return "error no answer";
}

ClientOptions fastOptions(uint16_t port) {
  ClientOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.connect_timeout = 1000ms;
  options.ack_timeout = 1000ms;  // the fault tests that wait for it use 200 ms
  options.keepalive_interval = 5000ms;
  options.silence_timeout = 10000ms;
  options.unlock_timeout = 500ms;
  options.backoff_initial = 20ms;
  options.backoff_cap = 100ms;
  return options;
}

ObservedClient::ObservedClient(asio::io_context& io_context, ClientOptions options)
    : io(io_context) {
  ClientObservers observers;
  observers.on_connection = [this](const ConnectionEvent& event) {
    events.push_back(event);
  };
  observers.on_change = [this](const StateChange& change, const RouterState&) {
    changes.push_back(change);
  };
  client = std::make_unique<VideohubClient>(io, std::move(options), std::move(observers));
  client->start();
}

bool ObservedClient::waitFor(ConnectionState state, std::chrono::milliseconds timeout) {
  return runUntil(
      io, [&] { return client->connectionState() == state; }, timeout);
}

std::shared_ptr<BlockReports> ObservedClient::send(std::vector<core::Route> routes) {
  auto reports = std::make_shared<BlockReports>();
  client->sendRoutes(std::move(routes), [reports](const core::BlockOutcome& outcome) {
    reports->outcomes.push_back(outcome);
  });
  return reports;
}

std::vector<std::string> ObservedClient::route(std::vector<core::Route> routes,
                                               std::chrono::milliseconds timeout) {
  return awaitLastReport(send(std::move(routes)), timeout);
}

std::shared_ptr<BlockReports> ObservedClient::sendLocks(std::vector<int> outputs) {
  auto reports = std::make_shared<BlockReports>();
  client->lockOutputs(std::move(outputs), [reports](const core::BlockOutcome& outcome) {
    reports->outcomes.push_back(outcome);
  });
  return reports;
}

std::vector<std::string> ObservedClient::lock(std::vector<int> outputs,
                                              std::chrono::milliseconds timeout) {
  return awaitLastReport(sendLocks(std::move(outputs)), timeout);
}

std::vector<std::string> ObservedClient::awaitLastReport(
    const std::shared_ptr<BlockReports>& reports, std::chrono::milliseconds timeout) {
  if (!runUntil(
          io, [&] { return reports->done(); }, timeout)) {
    auto words = describe(*reports);
    words.push_back("no last report");
    return words;
  }
  return describe(*reports);
}

bool ObservedClient::waitForRouting(const std::vector<core::Route>& routes,
                                    std::chrono::milliseconds timeout) {
  return runUntil(
      io,
      [&] {
        return std::all_of(routes.begin(), routes.end(), [&](const core::Route& route) {
          return client->state().sourceOf(static_cast<uint32_t>(route.output)) ==
                 static_cast<uint32_t>(route.input);
        });
      },
      timeout);
}

bool BlockReports::done() const {
  return !outcomes.empty() && !std::holds_alternative<core::BlockSent>(outcomes.back());
}

std::vector<std::string> describe(const BlockReports& reports) {
  std::vector<std::string> words;
  for (const auto& outcome : reports.outcomes) {
    if (std::holds_alternative<core::BlockSent>(outcome)) {
      words.emplace_back("sent");
    } else if (std::holds_alternative<core::BlockAcknowledged>(outcome)) {
      words.emplace_back("acknowledged");
    } else if (const auto* refused = std::get_if<core::BlockRefused>(&outcome)) {
      words.push_back(std::string("refused ") + core::toString(refused->reason));
    } else {
      words.emplace_back("lost");
    }
  }
  return words;
}

}  // namespace failover::videohub_client::testing
