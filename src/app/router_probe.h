#pragma once

// One look at a Videohub: connect, read its prelude, disconnect. Used by --test-connection,
// for one address or for every router of a configuration.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "failover/videohub_client/router_state.h"

namespace failover::app {

struct RouterProbe {
  bool present = false;  // connected, and the device says it is present
  std::string error;     // why not, in one line
  std::optional<videohub_client::RouterState> state;  // the prelude, when one was read
  // A name lookup is still running (getaddrinfo cannot be interrupted).
  bool lookup_pending = false;
};

// Connection logs only on request (--log-level debug or trace): the result is the report.
void configureProbeLogging(const std::string& log_level);

// Probes the router and hands the result to `report`. The whole probe (name lookup, connect,
// prelude) is bounded by `timeout`: when a name lookup is still running at the end, waiting for
// it would break that promise, so after `report` the process ends at once with exit status 1.
// `local_address`, when not empty, is the source address to connect from (bind_address).
void probeRouter(const std::string& host, uint16_t port, const std::string& local_address,
                 std::chrono::milliseconds timeout,
                 const std::function<void(const RouterProbe&)>& report);

}  // namespace failover::app
