#include "router_probe.h"

#include <cstdio>
#include <cstdlib>

#include <asio.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "failover/videohub_client/videohub_client.h"

namespace failover::app {

namespace vc = videohub_client;

void configureProbeLogging(const std::string& log_level) {
  const bool verbose = log_level == "debug" || log_level == "trace";
  auto logger = spdlog::get("videohub");
  if (!logger) {
    logger = spdlog::stderr_color_mt("videohub");
  }
  logger->set_level(verbose ? spdlog::level::from_str(log_level) : spdlog::level::off);
}

void probeRouter(const std::string& host, uint16_t port, const std::string& local_address,
                 std::chrono::milliseconds timeout,
                 const std::function<void(const RouterProbe&)>& report) {
  asio::io_context io;
  vc::ClientOptions options;
  options.host = host;
  options.port = port;
  options.local_address = local_address;
  options.connect_timeout = timeout;
  options.ack_timeout = timeout;
  options.keepalive_interval = timeout * 2;
  options.silence_timeout = timeout * 2;
  options.reconnect = false;

  RouterProbe probe;
  bool done = false;
  bool connected = false;
  vc::VideohubClient* client_ptr = nullptr;
  asio::steady_timer deadline(io);
  auto finish = [&](bool present, std::string error) {
    if (done) {
      return;
    }
    done = true;
    probe.present = present;
    probe.error = std::move(error);
    deadline.cancel();
    io.stop();
  };
  vc::ClientObservers observers;
  observers.on_connection = [&](const vc::ConnectionEvent& event) {
    switch (event.state) {
      case vc::ConnectionState::Ready:
        probe.state = client_ptr->state();
        finish(true, "");
        break;
      case vc::ConnectionState::Unavailable:
        probe.state = client_ptr->state();
        finish(false, event.reason);
        break;
      case vc::ConnectionState::Disconnected:
        finish(false, event.reason);
        break;
      case vc::ConnectionState::Syncing:
        connected = true;
        break;
      case vc::ConnectionState::Connecting:
        break;
    }
  };
  vc::VideohubClient client(io, options, observers);
  client_ptr = &client;
  deadline.expires_after(timeout);
  deadline.async_wait([&](const asio::error_code& ec) {
    if (ec || done) {
      return;
    }
    const std::string limit = std::to_string(timeout.count()) + " ms";
    finish(false, connected ? "timeout: connected, but no complete Videohub prelude within " + limit
                            : "timeout: no connection within " + limit);
  });
  client.start();
  io.run();

  asio::error_code not_numeric;
  (void)asio::ip::make_address(host, not_numeric);
  probe.lookup_pending = !probe.present && !connected && static_cast<bool>(not_numeric);
  report(probe);
  if (probe.lookup_pending) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(1);
  }
  client.stop();
}

}  // namespace failover::app
