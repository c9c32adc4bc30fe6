#pragma once

// Picks a free TCP port on a loopback address by binding port 0 and releasing it. Another
// process may take the port before the caller binds it; callers that start servers prefer
// letting the server bind port 0 itself and report its address.

#include <cstdint>
#include <string>
#include <string_view>

namespace failover::testing {

// Returns a port that was free on `host` (an IPv4 loopback address) a moment ago.
uint16_t pickFreePort(const std::string& host = "127.0.0.1");

// The port of a server's announcement "... HOST:PORT" (the last word of the line), e.g.
// videohub-sim's "listening on 127.0.0.1:40123" or "control on [::1]:40124". Throws
// std::runtime_error when the last word is not a HOST:PORT with a port 1..65535.
uint16_t announcedPort(std::string_view line);

}  // namespace failover::testing
