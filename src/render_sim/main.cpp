// render-sim: simulated render machines and diagnostics service for failover rehearsals and
// tests. Publishes each machine's health on MQTT and takes fault commands on stdin and MQTT.

#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "failover/render_sim/render_options.h"
#include "failover/render_sim/render_sim.h"

namespace {

using failover::render_sim::RenderSim;

// The stdin reader thread only hands lines to the io thread, and only while it still runs:
// main clears `io` before the io_context goes away; a reader still blocked in a read ends
// with the process.
struct StdinBridge {
  std::mutex mutex;
  asio::io_context* io = nullptr;
  RenderSim* sim = nullptr;
};

void readStdin(std::shared_ptr<StdinBridge> bridge) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::lock_guard lock(bridge->mutex);
    if (bridge->io == nullptr) {
      return;
    }
    asio::post(*bridge->io, [bridge, line] {
      // Runs on the io thread, where `sim` is only cleared after io.run() returned.
      if (bridge->sim != nullptr) {
        bridge->sim->execute(line);
      }
    });
  }
  // End of input: keep publishing until a signal, --duration-s or an MQTT quit.
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);

  auto parsed =
      failover::render_sim::parseRenderSimOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::cerr << "render-sim: " << parsed.status().message() << "\n";
    return 2;
  }
  const auto& options = *parsed;
  if (options.help) {
    std::cout << failover::render_sim::usageText();
    return 0;
  }

  auto logger = spdlog::stderr_color_mt("render-sim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(options.log_level));

  asio::io_context io;
  bool stopping = false;
  std::unique_ptr<RenderSim> sim;
  const auto finish = [&] {
    if (!stopping) {
      stopping = true;
      sim->stop();
      io.stop();
    }
  };
  sim = std::make_unique<RenderSim>(
      io, options,
      RenderSim::Callbacks{[](const std::string& line) { std::cout << line << std::endl; },
                           [&] {
                             finish();
                           }});
  if (auto status = sim->start(); !status.isOk()) {
    std::cerr << "render-sim: " << status.message() << "\n";
    return 1;
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](asio::error_code error, int signal_number) {
    if (!error) {
      spdlog::info("signal {}, stopping", signal_number);
      finish();
    }
  });

  asio::steady_timer duration(io);
  if (options.duration_s) {
    duration.expires_after(std::chrono::seconds(*options.duration_s));
    duration.async_wait([&](asio::error_code error) {
      if (!error) {
        spdlog::info("--duration-s reached, stopping");
        finish();
      }
    });
  }

  auto bridge = std::make_shared<StdinBridge>();
  if (options.control == failover::render_sim::ControlMode::Stdin) {
    bridge->io = &io;
    bridge->sim = sim.get();
    std::thread(readStdin, bridge).detach();
  }

  io.run();
  {
    std::lock_guard lock(bridge->mutex);
    bridge->io = nullptr;
    bridge->sim = nullptr;
  }
  sim.reset();
  return 0;
}
