#include "cut_relay.h"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace failover::cluster_e2e {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Writes all of `data` (loopback: the peer reads promptly); false when the peer is gone.
bool writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::send(fd, data, size, MSG_NOSIGNAL);
    if (written <= 0) {
      return false;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

struct Link {
  int client = -1;
  int upstream = -1;
};

// Small writes go out at once, as from the node's and the broker's own sockets: without it,
// Nagle's algorithm meeting the peer's delayed ACK holds a heartbeat back for up to 40 ms.
void sendImmediately(int socket) {
  const int yes = 1;
  ::setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
}

void closeLink(Link& link) {
  ::close(link.client);
  ::close(link.upstream);
  link = Link{};
}

}  // namespace

CutRelay::CutRelay(uint16_t upstream_port) : upstream_port_(upstream_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in address = loopback(0);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener_, 16) != 0) {
    ::close(listener_);
    throw std::runtime_error("the relay cannot listen");
  }
  socklen_t length = sizeof(address);
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

CutRelay::~CutRelay() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void CutRelay::close() {
  const uint64_t before = closed_rounds_;
  set(Mode::Close);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (closed_rounds_ == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // one relay round
  }
}

void CutRelay::closeThenPass() {
  close();
  set(Mode::Pass);
}

void CutRelay::run() {
  std::vector<Link> links;
  std::array<char, 65536> buffer{};
  while (!stop_) {
    const Mode mode = mode_;
    if (mode == Mode::Close) {
      for (Link& link : links) {
        closeLink(link);
      }
      links.clear();
      ++closed_rounds_;
    }
    std::vector<pollfd> fds{{listener_, POLLIN, 0}};
    for (const Link& link : links) {
      fds.push_back({link.client, POLLIN, 0});
      fds.push_back({link.upstream, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 20) <= 0) {
      continue;
    }
    if (fds[0].revents & POLLIN) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client >= 0 && mode == Mode::Close) {
        ::close(client);
      } else if (client >= 0) {
        const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
        const sockaddr_in broker = loopback(upstream_port_);
        if (::connect(upstream, reinterpret_cast<const sockaddr*>(&broker), sizeof(broker)) != 0) {
          ::close(client);
          ::close(upstream);
        } else {
          sendImmediately(client);
          sendImmediately(upstream);
          links.push_back({client, upstream});
        }
      }
    }
    for (size_t i = 0; i < links.size(); ++i) {
      Link& link = links[i];
      for (const bool from_client : {true, false}) {
        const pollfd& polled = fds[1 + 2 * i + (from_client ? 0 : 1)];
        if (link.client < 0 || !(polled.revents & (POLLIN | POLLHUP | POLLERR))) {
          continue;
        }
        const int from = from_client ? link.client : link.upstream;
        const int to = from_client ? link.upstream : link.client;
        const ssize_t got = ::recv(from, buffer.data(), buffer.size(), 0);
        if (got <= 0) {
          closeLink(link);
          continue;
        }
        const bool dropped = mode == Mode::Silent ||
                             (from_client && mode == Mode::DropFromClient) ||
                             (!from_client && mode == Mode::DropToClient);
        if (!dropped && !writeAll(to, buffer.data(), static_cast<size_t>(got))) {
          closeLink(link);
        }
      }
    }
    std::erase_if(links, [](const Link& link) { return link.client < 0; });
  }
  for (Link& link : links) {
    closeLink(link);
  }
}

}  // namespace failover::cluster_e2e
