#pragma once

// FileRunStateStore: the RunStateStore port on the state file (config::saveRunState, which
// writes a temporary file, fsyncs it, renames it over the file and fsyncs the directory).
// The file gets only the settings that differ from the YAML's, each with the YAML value it
// overrides (config::overridesOf).
// The writing is done on the store's own worker thread, so the io thread never waits for a
// disk: save() hands the state over and returns. States are coalesced: while one is being
// written, only the newest of those saved meanwhile waits, and it is written next. A failed
// write is logged (logger "node") and counted; the next save tries again.
//
// Thread safety: save(), flush() and the counters may be called from any thread. The
// destructor writes a state that still waits, then joins the worker.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "failover/config/state_file.h"
#include "failover/core/result.h"
#include "failover/ports/run_state_store.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace failover::daemon {

class FileRunStateStore final : public ports::RunStateStore {
 public:
  // Writes one state; called on the worker thread only.
  using Writer = std::function<core::Status(const config::RunState&)>;

  // Saves to the state file at `path` with config::saveRunState: the settings that differ
  // from `configured`, the YAML's values.
  FileRunStateStore(const std::string& path, const config::RunState& configured);
  // Saves with `writer` (tests put a slow or failing disk here); `destination` names where
  // the states go in log lines.
  FileRunStateStore(std::string destination, Writer writer);
  ~FileRunStateStore() override;
  FileRunStateStore(const FileRunStateStore&) = delete;
  FileRunStateStore& operator=(const FileRunStateStore&) = delete;

  // ports::RunStateStore
  void save(const config::RunState& state) override;

  // Blocks until every state saved before the call has been written, or has failed, or was
  // replaced by a newer one that has. Not for the io thread: it waits for the disk.
  void flush();

  // Writes that succeeded, and that failed, so far.
  uint64_t written() const;
  uint64_t failed() const;

 private:
  void run();

  std::string destination_;
  Writer writer_;
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;             // the worker waits here for a state, or for the stop
  std::condition_variable idle_;             // flush() waits here for the worker to run out of work
  std::optional<config::RunState> waiting_;  // the newest state not yet taken by the worker
  bool writing_ = false;
  bool stopping_ = false;
  uint64_t written_ = 0;
  uint64_t failed_ = 0;
  std::thread worker_;  // last: it starts once everything above is ready
};

}  // namespace failover::daemon
