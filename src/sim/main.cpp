// videohub-sim: a Blackmagic Videohub simulator for failover rehearsals and tests.

#include <csignal>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "failover/sim/control_channel.h"
#include "failover/sim/sim_options.h"
#include "failover/sim/sim_server.h"
#include "sim_logger.h"

namespace {

using failover::sim::ControlChannel;
using failover::sim::SimServer;

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// The stdin reader thread only hands lines to the I/O thread, and only while it still runs:
// main clears `io` before the io_context goes away, and the blocked reader dies with the
// process.
struct StdinBridge {
  std::mutex mutex;
  asio::io_context* io = nullptr;
};

void readStdin(std::shared_ptr<StdinBridge> bridge, std::shared_ptr<ControlChannel> channel) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::lock_guard lock(bridge->mutex);
    if (bridge->io == nullptr) {
      return;
    }
    asio::post(*bridge->io, [channel, line] { channel->submit(line); });
  }
  // End of input: the simulator keeps serving until a signal, --duration-s or "quit".
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that goes away must not kill us; writes then fail with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  auto parsed = failover::sim::parseSimOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::cerr << "videohub-sim: " << parsed.status().message() << "\n";
    return 2;
  }
  const auto& options = *parsed;
  if (options.help) {
    std::cout << failover::sim::usageText();
    return 0;
  }

  auto logger = failover::sim::simLogger();
  logger->set_level(spdlog::level::from_str(options.log_level));

  asio::io_context io;
  SimServer server(io, options);
  if (auto status = server.start(); !status.isOk()) {
    std::cerr << "videohub-sim: " << status.message() << "\n";
    return 1;
  }
  std::cout << "listening on " << describe(server.listenEndpoint()) << std::endl;
  if (const auto control = server.controlEndpoint()) {
    std::cout << "control on " << describe(*control) << std::endl;
  }
  logger->info("serving inputs={} outputs={}", options.router.inputs, options.router.outputs);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](asio::error_code error, int signal_number) {
    if (!error) {
      logger->info("stopping signal={}", signal_number);
      server.stop();
    }
  });

  asio::steady_timer duration(io);
  if (options.duration_s) {
    duration.expires_after(std::chrono::seconds(*options.duration_s));
    duration.async_wait([&](asio::error_code error) {
      if (!error) {
        logger->info("stopping reason=duration");
        server.stop();
      }
    });
  }

  auto bridge = std::make_shared<StdinBridge>();
  if (options.control == failover::sim::ControlMode::Stdin) {
    bridge->io = &io;
    auto channel = std::make_shared<ControlChannel>(
        server, [](const std::string& answer) { std::cout << answer << std::endl; });
    std::thread(readStdin, bridge, channel).detach();
  }

  io.run();
  {
    std::lock_guard lock(bridge->mutex);
    bridge->io = nullptr;
  }
  return 0;
}
