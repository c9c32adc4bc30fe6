#include "failover/sim/control_channel.h"

namespace failover::sim {

ControlChannel::ControlChannel(SimServer& server, SimServer::ReplyFn write)
    : server_(server), write_(std::move(write)) {}

void ControlChannel::submit(std::string line) {
  lines_.push_back(std::move(line));
  drain();
}

void ControlChannel::drain() {
  if (draining_) {
    return;  // the loop below picks up the next line
  }
  draining_ = true;
  while (!busy_ && !lines_.empty()) {
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    // Blank lines and "# comments" let people paste annotated sessions.
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') {
      continue;
    }
    busy_ = true;
    server_.executeControl(line, [self = shared_from_this()](const std::string& answer) {
      self->write_(answer);
      self->busy_ = false;
      self->drain();
    });
  }
  draining_ = false;
}

}  // namespace failover::sim
