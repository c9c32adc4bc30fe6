// The state file adapter: written on its own thread, never making the caller wait for the
// disk, coalesced to the newest state, failures reported and retried at the next save.

#include "failover/daemon/file_run_state_store.h"

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace failover::daemon {
namespace {

using namespace std::chrono_literals;

config::RunState modeOf(config::FailoverMode mode) {
  config::RunState state;
  state.pairs["green"] = config::PairRunState{mode, true};
  state.routers["vh1"] = config::RouterRunState{true};
  return state;
}

config::RunState armedOf(bool armed) {
  config::RunState state;
  state.pairs["green"] = config::PairRunState{config::FailoverMode::Auto, armed};
  return state;
}

// A disk the test holds: every write waits until release(), and is recorded.
class HeldDisk {
 public:
  core::Status write(const config::RunState& state) {
    {
      const std::lock_guard lock(mutex_);
      writes_.push_back(state);
      threads_.push_back(std::this_thread::get_id());
      if (writes_.size() == 1) {
        first_started_.set_value();
      }
    }
    released_.wait();
    return core::Status::ok();
  }
  void waitFirstWrite() { first_started_.get_future().wait(); }
  void release() { release_.set_value(); }

  std::vector<config::RunState> writes() const {
    const std::lock_guard lock(mutex_);
    return writes_;
  }
  std::vector<std::thread::id> threads() const {
    const std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<config::RunState> writes_;
  std::vector<std::thread::id> threads_;
  std::promise<void> first_started_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST(FileRunStateStoreTest, SavesTheStateFile) {
  const failover::testing::TempDir dir("failover-state-store");
  const std::string path = (dir.path() / "state" / "run.json").string();
  FileRunStateStore store(path, modeOf(config::FailoverMode::Auto));
  store.save(modeOf(config::FailoverMode::Manual));
  store.flush();
  const auto loaded = config::loadRunState(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  // Only what differs from the YAML's values, with the value it overrides.
  config::RunStateOverrides expected;
  expected.values.pairs["green"].mode = config::FailoverMode::Manual;
  expected.overrode.pairs["green"].mode = config::FailoverMode::Auto;
  EXPECT_EQ(loaded.value(), expected);
  EXPECT_EQ(store.written(), 1u);
  EXPECT_EQ(store.failed(), 0u);
}

TEST(FileRunStateStoreTest, ASettingSetBackToTheYamlValueLeavesTheFile) {
  const failover::testing::TempDir dir("failover-state-store");
  const std::string path = dir.file("run.json");
  FileRunStateStore store(path, modeOf(config::FailoverMode::Auto));
  store.save(modeOf(config::FailoverMode::Manual));
  store.flush();
  store.save(modeOf(config::FailoverMode::Auto));
  store.flush();
  const auto loaded = config::loadRunState(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_EQ(loaded.value(), config::RunStateOverrides{});
}

TEST(FileRunStateStoreTest, SaveReturnsWhileTheDiskIsSlowAndOnlyTheNewestStateWaits) {
  HeldDisk disk;
  FileRunStateStore store("held disk",
                          [&disk](const config::RunState& state) { return disk.write(state); });
  store.save(armedOf(false));
  disk.waitFirstWrite();
  // The first write hangs on the disk; saves keep returning, each replacing the one before.
  store.save(armedOf(true));
  store.save(modeOf(config::FailoverMode::Manual));
  store.save(modeOf(config::FailoverMode::Auto));
  disk.release();
  store.flush();
  const auto writes = disk.writes();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0], armedOf(false));
  EXPECT_EQ(writes[1], modeOf(config::FailoverMode::Auto));
  for (const auto& thread : disk.threads()) {
    EXPECT_NE(thread, std::this_thread::get_id()) << "written on the caller's thread";
  }
  EXPECT_EQ(store.written(), 2u);
}

TEST(FileRunStateStoreTest, AFailedWriteIsCountedAndTheNextSaveTriesAgain) {
  int calls = 0;
  FileRunStateStore store("flaky disk", [&calls](const config::RunState&) {
    return ++calls == 1 ? core::Status::unavailable("disk full") : core::Status::ok();
  });
  store.save(armedOf(false));
  store.flush();
  EXPECT_EQ(store.failed(), 1u);
  EXPECT_EQ(store.written(), 0u);
  store.save(armedOf(true));
  store.flush();
  EXPECT_EQ(store.failed(), 1u);
  EXPECT_EQ(store.written(), 1u);
}

TEST(FileRunStateStoreTest, AnUnwritableStateFileIsReportedNotFatal) {
  FileRunStateStore store("/proc/failover-node-test/state.json", armedOf(true));
  store.save(armedOf(false));
  store.flush();
  EXPECT_EQ(store.failed(), 1u);
  EXPECT_FALSE(std::filesystem::exists("/proc/failover-node-test/state.json"));
}

TEST(FileRunStateStoreTest, AStateStillWaitingIsWrittenBeforeTheStoreGoesAway) {
  const failover::testing::TempDir dir("failover-state-store");
  const std::string path = dir.file("run.json");
  {
    FileRunStateStore store(path, armedOf(true));
    store.save(armedOf(true));
    store.save(armedOf(false));
  }
  const auto loaded = config::loadRunState(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_EQ(loaded->values.pairs.at("green").armed, false);
  EXPECT_EQ(loaded->overrode.pairs.at("green").armed, true);
}

}  // namespace
}  // namespace failover::daemon
