#pragma once

// FileAuditTrail: the AuditTrail port on the audit_log file. append() puts the line in a
// bounded queue and returns; the trail's own worker thread appends the lines to the file, so
// the io thread never waits for a disk. The file is opened with O_APPEND and each line goes to
// the kernel in one write() as soon as it is taken from the queue. Before a line would take the
// file past `max_bytes` the file is rotated: FILE.<keep> is deleted, FILE.<n> becomes
// FILE.<n+1>, FILE becomes FILE.1, and a new FILE is started.
//
// Nothing here ever fails the caller: a line that finds the queue full, or whose write fails
// (full disk, no permission, a path that cannot be created), is dropped and counted; the
// failure is logged (logger "node") at most every few seconds, and the next line tries again.
//
// Thread safety: append(), flush() and counters() may be called from any thread. The
// destructor writes the lines still waiting, then joins the worker.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "failover/ports/audit_trail.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace failover::daemon {

struct AuditFileOptions {
  std::filesystem::path path;
  uint64_t max_bytes = 10ULL * 1024 * 1024;  // config: audit_log_max_mb
  int keep = 5;                              // rotated files kept (at least 1)
  // Lines waiting for the disk; more are dropped. A burst of every pair of a 288x288 router
  // switching at once is 144 lines.
  std::size_t queue_capacity = 4096;
};

class FileAuditTrail final : public ports::AuditTrail {
 public:
  explicit FileAuditTrail(AuditFileOptions options);
  ~FileAuditTrail() override;
  FileAuditTrail(const FileAuditTrail&) = delete;
  FileAuditTrail& operator=(const FileAuditTrail&) = delete;

  // ports::AuditTrail
  void append(std::string line) override;
  ports::AuditTrailCounters counters() const override;

  // Blocks until every line appended before the call has been written or dropped. Not for the
  // io thread: it waits for the disk.
  void flush();

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  // Worker thread only: the file, its size, and the failures to report.
  bool writeLine(const std::string& line);
  bool openFile();
  void closeFile();
  void rotate();
  std::filesystem::path rotatedPath(int index) const;
  void failed(const std::string& what, int error_number);

  const AuditFileOptions options_;
  std::shared_ptr<spdlog::logger> log_;

  int fd_ = -1;
  uint64_t size_ = 0;
  bool failing_ = false;  // the last file operation failed; a success is logged once
  Clock::time_point error_logged_{};

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the worker waits here for a line, or for the stop
  std::condition_variable idle_;  // flush() waits here for the worker to run out of work
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  ports::AuditTrailCounters counters_;
  Clock::time_point full_logged_{};  // when a full queue was last logged
  std::thread worker_;               // last: it starts once everything above is ready
};

}  // namespace failover::daemon
