#pragma once

// Picks a free TCP port on a loopback address by binding port 0 and releasing it. Another
// process may take the port before the caller binds it; callers that start servers prefer
// letting the server bind port 0 itself and report its address.

#include <cstdint>
#include <string>

namespace failover::testing {

// Returns a port that was free on `host` (an IPv4 loopback address) a moment ago.
uint16_t pickFreePort(const std::string& host = "127.0.0.1");

}  // namespace failover::testing
