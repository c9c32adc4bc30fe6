#include "failover/daemon/file_audit_trail.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "named_logger.h"

namespace failover::daemon {
namespace {

// A full queue, and failing writes, are logged at most this often.
constexpr auto kFailureLogInterval = std::chrono::seconds(10);

}  // namespace

FileAuditTrail::FileAuditTrail(AuditFileOptions options)
    : options_(std::move(options)), log_(namedLogger("node")), worker_([this] { run(); }) {}

FileAuditTrail::~FileAuditTrail() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void FileAuditTrail::append(std::string line) {
  uint64_t dropped = 0;
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() < options_.queue_capacity) {
      queue_.push_back(std::move(line));
    } else {
      dropped = ++counters_.dropped;
      const auto now = Clock::now();
      if (full_logged_ != Clock::time_point{} && now - full_logged_ < kFailureLogInterval) {
        dropped = 0;  // logged a moment ago
      } else {
        full_logged_ = now;
      }
    }
  }
  if (dropped != 0) {
    log_->warn("audit trail {}: {} lines wait for the disk; dropped a line ({} dropped so far)",
               options_.path.string(), options_.queue_capacity, dropped);
    return;
  }
  wake_.notify_one();
}

ports::AuditTrailCounters FileAuditTrail::counters() const {
  const std::lock_guard lock(mutex_);
  return counters_;
}

void FileAuditTrail::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void FileAuditTrail::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) {
      break;  // stopping, and nothing left to write
    }
    const std::string line = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    const bool written = writeLine(line);
    lock.lock();
    writing_ = false;
    ++(written ? counters_.written : counters_.dropped);
    if (queue_.empty()) {
      idle_.notify_all();
    }
  }
  lock.unlock();
  closeFile();
}

bool FileAuditTrail::writeLine(const std::string& line) {
  if (fd_ < 0 && !openFile()) {
    return false;
  }
  const std::string text = line + '\n';
  if (size_ > 0 && size_ + text.size() > options_.max_bytes) {
    rotate();
    if (fd_ < 0 && !openFile()) {
      return false;
    }
  }
  // One write() per line, and no buffer of our own: the line is in the kernel when write()
  // returns, so a crash of the node loses nothing already written. There is no fsync per line:
  // it would wait for the disk on every line (milliseconds, for a burst of switches seconds),
  // and only a power cut or a kernel crash can lose what the kernel holds. The trail records
  // what happened; it is not what the node restarts from.
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t count = ::write(fd_, text.data() + done, text.size() - done);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      const int error_number = count < 0 ? errno : ENOSPC;
      if (done > 0) {
        // Take back the part of the line that was written, so the next line starts a line.
        (void)::ftruncate(fd_, static_cast<off_t>(size_));
      }
      failed("cannot write to", error_number);
      closeFile();  // opened again for the next line: the file may have been replaced
      return false;
    }
    done += static_cast<std::size_t>(count);
  }
  size_ += text.size();
  if (failing_) {
    failing_ = false;
    log_->info("audit trail {}: writing again", options_.path.string());
  }
  return true;
}

bool FileAuditTrail::openFile() {
  std::error_code ignored;
  if (options_.path.has_parent_path()) {
    std::filesystem::create_directories(options_.path.parent_path(), ignored);
  }
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    failed("cannot open", errno);
    return false;
  }
  struct stat status {};
  size_ = ::fstat(fd_, &status) == 0 ? static_cast<uint64_t>(status.st_size) : 0;
  return true;
}

void FileAuditTrail::closeFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

std::filesystem::path FileAuditTrail::rotatedPath(int index) const {
  std::filesystem::path rotated = options_.path;
  rotated += "." + std::to_string(index);
  return rotated;
}

void FileAuditTrail::rotate() {
  closeFile();
  // Oldest first: FILE.<keep> goes, every other moves up one, FILE becomes FILE.1.
  if (::unlink(rotatedPath(options_.keep).c_str()) != 0 && errno != ENOENT) {
    failed("cannot delete the oldest rotated file of", errno);
  }
  for (int index = options_.keep - 1; index >= 1; --index) {
    if (::rename(rotatedPath(index).c_str(), rotatedPath(index + 1).c_str()) != 0 &&
        errno != ENOENT) {
      failed("cannot rotate", errno);
    }
  }
  // When this fails the lines go on into the full file: kept beyond the limit, not lost.
  if (::rename(options_.path.c_str(), rotatedPath(1).c_str()) != 0 && errno != ENOENT) {
    failed("cannot rotate", errno);
  }
}

void FileAuditTrail::failed(const std::string& what, int error_number) {
  uint64_t errors = 0;
  uint64_t dropped = 0;
  {
    const std::lock_guard lock(mutex_);
    errors = ++counters_.write_errors;
    dropped = counters_.dropped;
  }
  failing_ = true;
  const auto now = Clock::now();
  if (error_logged_ != Clock::time_point{} && now - error_logged_ < kFailureLogInterval) {
    return;
  }
  error_logged_ = now;
  log_->error("audit trail: {} {}: {} ({} errors, {} lines dropped so far)", what,
              options_.path.string(), std::strerror(error_number), errors, dropped);
}

}  // namespace failover::daemon
