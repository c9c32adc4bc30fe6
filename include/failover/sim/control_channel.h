#pragma once

// Serialises the control lines of one source (stdin, or one TCP control connection).

#include <deque>
#include <memory>
#include <string>

#include "failover/sim/sim_server.h"

namespace failover::sim {

// Runs control lines from one source in order: the next line starts once the previous one
// was answered, so "wait-clients" holds back the commands after it.
// Blank lines and lines starting with '#' are skipped without an answer. `write` receives each
// answer line without its newline. Use from the server's I/O thread only; keep it in a
// shared_ptr (answers that come later hold a reference).
class ControlChannel : public std::enable_shared_from_this<ControlChannel> {
 public:
  ControlChannel(SimServer& server, SimServer::ReplyFn write);
  void submit(std::string line);

 private:
  void drain();

  SimServer& server_;
  SimServer::ReplyFn write_;
  std::deque<std::string> lines_;
  bool busy_ = false;
  bool draining_ = false;
};

}  // namespace failover::sim
