#include "sim_harness.h"

#include <csignal>
#include <stdexcept>

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
  const auto colon = line->rfind(':');
  port_ = static_cast<uint16_t>(std::stoul(line->substr(colon + 1)));
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
  options.confirm_delay = 100ms;
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

std::vector<RouteResult> ObservedClient::salvo(std::vector<RouteRequest> routes,
                                               std::chrono::milliseconds timeout) {
  // Shared, so a callback that comes after a timed-out wait finds live storage.
  struct Outcome {
    std::vector<RouteResult> results;
    bool done = false;
  };
  auto outcome = std::make_shared<Outcome>();
  client->routeSalvo(std::move(routes), [outcome](const std::vector<RouteResult>& r) {
    outcome->results = r;
    outcome->done = true;
  });
  if (!runUntil(
          io, [&] { return outcome->done; }, timeout)) {
    return {};
  }
  return outcome->results;
}

RouteResult resultFor(const std::vector<RouteResult>& results, uint32_t output) {
  for (const auto& r : results) {
    if (r.output == output) {
      return r;
    }
  }
  return RouteResult{output, 0, RouteOutcome::Unconfirmed, "missing from the results"};
}

}  // namespace failover::videohub_client::testing
