#include "soak_lab.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "support/free_port.h"
#include "support/mqtt_test_client.h"
#include "support/sim_control.h"

namespace failover::soak {
namespace {

using namespace std::chrono_literals;

int connectLoopback(uint16_t port, const char* from) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  if (from != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads one line from `fd` into `line`, keeping the rest in `buffer`; false on timeout or EOF.
bool readSocketLine(int fd, std::string& buffer, std::string& line,
                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (const auto newline = buffer.find('\n'); newline != std::string::npos) {
      line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd descriptor{fd, POLLIN, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return false;
    }
    char chunk[4096];
    const ssize_t count = ::read(fd, chunk, sizeof(chunk));
    if (count <= 0) {
      return false;
    }
    buffer.append(chunk, static_cast<size_t>(count));
  }
}

bool writeAll(int fd, const std::string& data) {
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t count = ::send(fd, data.data() + written, data.size() - written, MSG_NOSIGNAL);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      return false;
    }
    written += static_cast<size_t>(count);
  }
  return true;
}

}  // namespace

LineReader::LineReader(testing::ChildProcess& process, OnLine on_line) {
  thread_ = std::thread([this, &process, on_line = std::move(on_line)] {
    while (!stop_) {
      if (auto line = process.readLine(100ms)) {
        on_line(*line);
      } else if (!process.running()) {
        std::this_thread::sleep_for(20ms);  // at end of output; wait to be told to stop
      }
    }
  });
}

LineReader::~LineReader() {
  stop_ = true;
  thread_.join();
}

// --- Router ------------------------------------------------------------------------------

Router::Router(Recorder& recorder, const Facility& facility)
    : recorder_(recorder), facility_(facility) {
  mirror_ = std::thread([this] { mirrorLoop(); });
}

Router::~Router() {
  if (process_) {
    stop();
  }
  mirror_stop_ = true;
  mirror_.join();
}

void Router::start(uint16_t port, const std::map<int, int>& routing) {
  const std::string size = std::to_string(facility_.router_size);
  std::string command = "exec \"$0\" --listen 127.0.0.1:" + std::to_string(port) +
                        " --control 127.0.0.1:0 --log-level debug --inputs " + size +
                        " --outputs " + size;
  for (const auto& [output, input] : routing) {
    command += " --route " + std::to_string(output) + "=" + std::to_string(input);
  }
  // The debug log (stderr) joins stdout, so one reader sees it in order and on time.
  process_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c", command + " 2>&1", testing::binaryPath("videohub-sim")});
  std::optional<std::string> listening;
  std::optional<std::string> control;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((!listening || !control) && std::chrono::steady_clock::now() < deadline) {
    auto line = process_->readLine(200ms);
    if (line && line->rfind("listening on ", 0) == 0) {
      listening = line;
    } else if (line && line->rfind("control on ", 0) == 0) {
      control = line;
    }
  }
  if (!listening || !control) {
    throw std::runtime_error("videohub-sim did not start on port " + std::to_string(port));
  }
  port_ = testing::announcedPort(*listening);
  control_port_ = testing::announcedPort(*control);
  log_reader_ =
      std::make_unique<LineReader>(*process_, [this](const std::string& line) { onLogLine(line); });
  control_fd_ = connectLoopback(control_port_, nullptr);
  if (control_fd_ < 0) {
    throw std::runtime_error("cannot connect to videohub-sim's control channel");
  }
}

std::map<int, int> Router::stop() {
  // Silent: requests are ignored from now on, so the routing read next is the final one.
  control("silent on");
  const auto routing = testing::parseSimRoutes(control("status"));
  closeControl();
  process_->stop(SIGTERM, 3000ms);
  log_reader_.reset();
  process_.reset();
  return routing;
}

void Router::closeControl() {
  if (control_fd_ >= 0) {
    ::close(control_fd_);
    control_fd_ = -1;
  }
  control_buffer_.clear();
}

std::string Router::control(const std::string& command) {
  if (control_fd_ < 0 || !writeAll(control_fd_, command + "\n")) {
    return "error no control channel";
  }
  std::string line;
  while (readSocketLine(control_fd_, control_buffer_, line, 3000ms)) {
    if (line.rfind("ok", 0) == 0 || line.rfind("error", 0) == 0) {
      return line;
    }
  }
  return "error no answer";
}

bool Router::routeFrom(const std::string& address, const std::map<int, int>& routes) {
  const int fd = connectLoopback(port_, address.c_str());
  if (fd < 0) {
    return false;
  }
  std::string block = "VIDEO OUTPUT ROUTING:\n";
  for (const auto& [output, input] : routes) {
    block += std::to_string(output - 1) + " " + std::to_string(input - 1) + "\n";  // from 0
  }
  bool acknowledged = false;
  if (writeAll(fd, block + "\n")) {
    std::string buffer;
    std::string line;
    while (readSocketLine(fd, buffer, line, 2000ms)) {
      if (line == "ACK" || line == "ACK\r") {
        acknowledged = true;
        break;
      }
    }
  }
  ::close(fd);
  return acknowledged;
}

std::map<int, int> Router::mirrored() {
  std::lock_guard lock(mirror_mutex_);
  return mirrored_;
}

void Router::onLogLine(const std::string& line) {
  const double at = recorder_.now();
  for (const auto& node : facility_.nodes) {
    const std::string address = facility_.routerAddress(node);
    std::optional<RouterLogLine::Kind> kind;
    if (line.find("client connected peer=" + address + ":") != std::string::npos) {
      kind = RouterLogLine::Kind::NodeConnected;
    } else if (line.find("client disconnected client=" + address + " ") != std::string::npos) {
      kind = RouterLogLine::Kind::NodeDisconnected;
    } else if (line.find("request client=" + address + " header=\"VIDEO OUTPUT ROUTING\"") !=
               std::string::npos) {
      kind = RouterLogLine::Kind::NodeRoutingRequest;
    }
    if (kind) {
      recorder_.with([&](Record& record) { record.router_log.push_back({at, *kind, node}); });
      return;
    }
  }
}

void Router::mirrorLoop() {
  // Reconnects whenever the router is away; bounded by the soak's end (mirror_stop_).
  const std::string from = facility_.mirrorAddress();
  while (!mirror_stop_) {
    const uint16_t port = port_;
    const int fd = port == 0 ? -1 : connectLoopback(port, from.c_str());
    if (fd < 0) {
      std::this_thread::sleep_for(20ms);
      continue;
    }
    std::string buffer;
    std::string line;
    bool in_routing = false;
    bool prelude = true;
    std::map<int, int> block;
    while (!mirror_stop_) {
      if (!readSocketLine(fd, buffer, line, 100ms)) {
        pollfd descriptor{fd, POLLIN, 0};
        char probe = 0;
        if (::poll(&descriptor, 1, 0) > 0 && ::recv(fd, &probe, 1, MSG_PEEK) <= 0) {
          break;  // the router went away
        }
        continue;
      }
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (line == "VIDEO OUTPUT ROUTING:") {
        in_routing = true;
        block.clear();
      } else if (line == "END PRELUDE:") {
        prelude = false;
      } else if (in_routing && line.empty()) {
        in_routing = false;
        const double at = recorder_.now();
        RouterUpdate update;
        update.at_ms = at;
        update.prelude = prelude;
        {
          std::lock_guard lock(mirror_mutex_);
          for (const auto& [output, input] : block) {
            if (mirrored_[output] != input) {
              update.changes[output] = input;
              mirrored_[output] = input;
            }
          }
        }
        recorder_.with([&](Record& record) { record.router_updates.push_back(update); });
      } else if (in_routing) {
        int output = 0;
        int input = 0;
        if (std::sscanf(line.c_str(), "%d %d", &output, &input) == 2) {
          block[output + 1] = input + 1;  // the protocol counts from 0
        }
      }
    }
    ::close(fd);
  }
}

// --- Machines ----------------------------------------------------------------------------

Machines::Machines(const std::filesystem::path& directory, const Facility& facility,
                   uint16_t port) {
  std::string ids;
  for (const auto& machine : facility.machines) {
    ids += (ids.empty() ? "" : ",") + machine.id;
  }
  process_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c", "exec \"$0\" --broker \"$1\" --machine \"$2\" --rate-ms 100 2>>\"$3\"",
      testing::binaryPath("render-sim"), "tcp://127.0.0.1:" + std::to_string(port), ids,
      (directory / "render-sim.log").string()});
  if (!process_->waitForLine("ready", 10s)) {
    throw std::runtime_error("render-sim did not become ready");
  }
}

std::string Machines::command(const std::string& text) {
  if (!process_->writeLine(text)) {
    return "error render-sim is gone";
  }
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = process_->readLine(3000ms);
    if (!line) {
      break;
    }
    if (line->rfind("ok", 0) == 0 || line->rfind("error", 0) == 0) {
      return *line;
    }
  }
  return "error no answer";
}

bool Machines::waitLinksUp(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->writeLine("status")) {
      return false;
    }
    bool all_up = true;
    while (true) {
      auto line = process_->readLine(3000ms);
      if (!line || line->rfind("ok", 0) == 0 || line->rfind("error", 0) == 0) {
        break;
      }
      if (line->find("link=connecting") != std::string::npos) {
        all_up = false;
      }
    }
    if (all_up) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// --- BusWatch ----------------------------------------------------------------------------

BusWatch::BusWatch(Recorder& recorder, uint16_t port, const Facility& facility)
    : recorder_(recorder) {
  testing::MqttSubscription subscription;
  for (const auto& node : facility.nodes) {
    subscription.filters.push_back(facility.nodeStateTopic(node));
  }
  subscription.filters.push_back(facility.pairTopic("+", "event"));
  subscription.filters.push_back(facility.pairTopic("+", "state"));
  if (facility.cluster) {
    // Who is in charge, by the cluster's own announcements; the heartbeats only for the
    // latest one (whether a standby is ready to take over), not for the record.
    for (const char* filter :
         {"failover/studio/cluster/active", "failover/studio/cluster/event",
          "failover/studio/cluster/response/handover", "failover/studio/nodes/+/role",
          "failover/studio/nodes/+/heartbeat"}) {
      subscription.filters.emplace_back(filter);
    }
  }
  subscription.qos = 1;
  subscription.persistent_client_id = "failover-soak-watch";
  process_ = std::make_unique<testing::ChildProcess>(
      testing::subscriberCommand(testing::MqttEndpoint{port}, subscription));
  reader_ = std::make_unique<LineReader>(*process_, [this](const std::string& line) {
    const double at = recorder_.now();
    auto received = testing::parseSubscriberLine(line);
    if (!received) {
      return;
    }
    BusMessage message;
    message.at_ms = at;
    message.retained = received->retained;
    message.topic = std::move(received->topic);
    message.payload = std::move(received->payload);
    {
      std::lock_guard lock(mutex_);
      latest_[message.topic] = message.payload;
    }
    if (message.topic.size() > 10 &&
        message.topic.compare(message.topic.size() - 10, 10, "/heartbeat") == 0) {
      return;
    }
    recorder_.with([&](Record& record) { record.bus.push_back(std::move(message)); });
  });
}

BusWatch::~BusWatch() {
  process_->stop(SIGTERM, 2000ms);
  reader_.reset();
}

std::optional<std::string> BusWatch::latest(const std::string& topic) {
  std::lock_guard lock(mutex_);
  const auto found = latest_.find(topic);
  return found == latest_.end() ? std::nullopt : std::optional<std::string>(found->second);
}

}  // namespace failover::soak
