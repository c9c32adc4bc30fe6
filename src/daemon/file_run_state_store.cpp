#include "failover/daemon/file_run_state_store.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "named_logger.h"

namespace failover::daemon {

FileRunStateStore::FileRunStateStore(const std::string& path, const config::RunState& configured)
    : FileRunStateStore(path, [path, configured](const config::RunState& state) {
        return config::saveRunState(path, config::overridesOf(state, configured));
      }) {}

FileRunStateStore::FileRunStateStore(std::string destination, Writer writer)
    : destination_(std::move(destination)),
      writer_(std::move(writer)),
      log_(namedLogger("node")),
      worker_([this] { run(); }) {}

FileRunStateStore::~FileRunStateStore() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void FileRunStateStore::save(const config::RunState& state) {
  {
    const std::lock_guard lock(mutex_);
    waiting_ = state;  // replaces a state the worker has not taken yet
  }
  wake_.notify_one();
}

void FileRunStateStore::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return !waiting_ && !writing_; });
}

uint64_t FileRunStateStore::written() const {
  const std::lock_guard lock(mutex_);
  return written_;
}

uint64_t FileRunStateStore::failed() const {
  const std::lock_guard lock(mutex_);
  return failed_;
}

void FileRunStateStore::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return waiting_ || stopping_; });
    if (!waiting_) {
      return;  // stopping, and nothing left to write
    }
    const config::RunState state = std::move(*waiting_);
    waiting_.reset();
    writing_ = true;
    lock.unlock();
    const core::Status status = writer_(state);
    if (!status.isOk()) {
      log_->error("cannot save run-time settings to {}: {}", destination_, status.message());
    }
    lock.lock();
    writing_ = false;
    ++(status.isOk() ? written_ : failed_);
    if (!waiting_) {
      idle_.notify_all();
    }
  }
}

}  // namespace failover::daemon
