#include "support/free_port.h"

#include <unistd.h>

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "failover/core/host_port.h"

namespace failover::testing {

uint16_t pickFreePort(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("socket() failed");
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    ::close(fd);
    throw std::runtime_error("not an IPv4 address: " + host);
  }
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a free port on " + host);
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

uint16_t announcedPort(std::string_view line) {
  const auto space = line.rfind(' ');
  const std::string_view word = space == std::string_view::npos ? line : line.substr(space + 1);
  core::AddressRules rules;
  rules.port_required = true;
  const auto parsed = core::parseHostPort(word, rules);
  if (!parsed.ok()) {
    throw std::runtime_error("no HOST:PORT at the end of '" + std::string(line) +
                             "': " + core::describe(parsed.error));
  }
  return *parsed.address.port;
}

}  // namespace failover::testing
