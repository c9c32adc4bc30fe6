// The audit trail's file: lines appended in order off the caller's thread, rotated by size
// keeping a bounded number of old files, and every failure (a path that cannot be opened, a
// full disk, a disk that does not answer while lines keep coming) counted instead of felt by
// the caller.

#include "failover/daemon/file_audit_trail.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/temp_dir.h"

namespace failover::daemon {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> linesOf(const fs::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
  }
  return lines;
}

// Thirty bytes, thirty-one with the newline: three fit in 100 bytes, four do not.
std::string line(int number) {
  std::string text = R"({"n":)" + std::to_string(number) + "}";
  text.resize(30, ' ');
  return text;
}

AuditFileOptions optionsFor(const fs::path& path) {
  AuditFileOptions options;
  options.path = path;
  return options;
}

TEST(FileAuditTrailTest, AppendsOneLinePerRecordInOrder) {
  const testing::TempDir directory;
  const fs::path path = directory.path() / "logs" / "audit.jsonl";  // the folder is created
  FileAuditTrail trail(optionsFor(path));
  trail.append(R"({"n":1})");
  trail.append(R"({"n":2})");
  trail.append(R"({"n":3})");
  trail.flush();
  EXPECT_EQ(linesOf(path), (std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":3})"}));
  const auto counters = trail.counters();
  EXPECT_EQ(counters.written, 3u);
  EXPECT_EQ(counters.dropped, 0u);
  EXPECT_EQ(counters.write_errors, 0u);
}

TEST(FileAuditTrailTest, AppendsToTheFileOfAnEarlierRun) {
  const testing::TempDir directory;
  const std::string path = directory.write("audit.jsonl", "{\"n\":0}\n");
  {
    FileAuditTrail trail(optionsFor(path));
    trail.append(R"({"n":1})");
  }  // the destructor writes what waits
  EXPECT_EQ(linesOf(path), (std::vector<std::string>{R"({"n":0})", R"({"n":1})"}));
}

TEST(FileAuditTrailTest, RotatesBeforeTheFileWouldPassItsLimitAndKeepsOnlyKeepFiles) {
  const testing::TempDir directory;
  const fs::path path = directory.path() / "audit.jsonl";
  AuditFileOptions options = optionsFor(path);
  options.max_bytes = 100;
  options.keep = 2;
  FileAuditTrail trail(options);
  for (int number = 1; number <= 10; ++number) {
    trail.append(line(number));
  }
  trail.flush();

  // Three lines a file: [1 2 3] [4 5 6] [7 8 9] [10]; the oldest file went.
  EXPECT_EQ(linesOf(path), (std::vector<std::string>{line(10)}));
  EXPECT_EQ(linesOf(directory.path() / "audit.jsonl.1"),
            (std::vector<std::string>{line(7), line(8), line(9)}));
  EXPECT_EQ(linesOf(directory.path() / "audit.jsonl.2"),
            (std::vector<std::string>{line(4), line(5), line(6)}));
  EXPECT_FALSE(fs::exists(directory.path() / "audit.jsonl.3"));
  for (const auto& entry : fs::directory_iterator(directory.path())) {
    EXPECT_LE(fs::file_size(entry.path()), 100u) << entry.path();
  }
  EXPECT_EQ(trail.counters().written, 10u);
  EXPECT_EQ(trail.counters().write_errors, 0u);
}

TEST(FileAuditTrailTest, ALineLongerThanTheLimitStillGoesIntoAFileOfItsOwn) {
  const testing::TempDir directory;
  const fs::path path = directory.path() / "audit.jsonl";
  AuditFileOptions options = optionsFor(path);
  options.max_bytes = 40;
  FileAuditTrail trail(options);
  trail.append(line(1));
  trail.append(std::string(60, 'x'));
  trail.flush();
  EXPECT_EQ(linesOf(path), (std::vector<std::string>{std::string(60, 'x')}));
  EXPECT_EQ(linesOf(directory.path() / "audit.jsonl.1"), (std::vector<std::string>{line(1)}));
  EXPECT_EQ(trail.counters().dropped, 0u);
}

// The folder of the file is a regular file: nothing can be opened there, even by root.
TEST(FileAuditTrailTest, APathThatCannotBeOpenedDropsAndCountsUntilItCan) {
  const testing::TempDir directory;
  const std::string blocker = directory.write("logs", "not a folder");
  const fs::path path = fs::path(blocker) / "audit.jsonl";
  FileAuditTrail trail(optionsFor(path));
  trail.append(R"({"n":1})");
  trail.append(R"({"n":2})");
  trail.flush();
  auto counters = trail.counters();
  EXPECT_EQ(counters.written, 0u);
  EXPECT_EQ(counters.dropped, 2u);
  EXPECT_EQ(counters.write_errors, 2u);

  // Fixed by the operator: the next line is written.
  fs::remove(blocker);
  fs::create_directory(blocker);
  trail.append(R"({"n":3})");
  trail.flush();
  EXPECT_EQ(linesOf(path), (std::vector<std::string>{R"({"n":3})"}));
  counters = trail.counters();
  EXPECT_EQ(counters.written, 1u);
  EXPECT_EQ(counters.dropped, 2u);
}

// /dev/full accepts the open and answers every write with ENOSPC, as a full disk does.
TEST(FileAuditTrailTest, AFullDiskDropsAndCountsEveryLine) {
  if (::access("/dev/full", W_OK) != 0) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  FileAuditTrail trail(optionsFor("/dev/full"));
  trail.append(R"({"n":1})");
  trail.append(R"({"n":2})");
  trail.flush();
  const auto counters = trail.counters();
  EXPECT_EQ(counters.written, 0u);
  EXPECT_EQ(counters.dropped, 2u);
  EXPECT_EQ(counters.write_errors, 2u);
}

// A named pipe nobody reads is a disk that does not answer: the worker waits in open() for a
// reader. Meanwhile append() must neither wait nor grow without bound.
TEST(FileAuditTrailTest, AFullQueueDropsAndCountsWithoutMakingTheCallerWait) {
  const testing::TempDir directory;
  const fs::path path = directory.path() / "audit.pipe";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
  AuditFileOptions options = optionsFor(path);
  options.queue_capacity = 4;
  constexpr int kLines = 50;
  int reader = -1;
  {
    FileAuditTrail trail(options);
    for (int number = 1; number <= kLines; ++number) {
      trail.append(R"({"n":)" + std::to_string(number) + "}");
    }
    // At most the queue, and the one line the worker holds, can be waiting.
    const auto held = trail.counters();
    EXPECT_EQ(held.written, 0u);
    EXPECT_GE(held.dropped, static_cast<uint64_t>(kLines - 5));

    reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);  // lets the worker's open() through
    ASSERT_GE(reader, 0) << std::strerror(errno);
    trail.flush();
    const auto counters = trail.counters();
    EXPECT_EQ(counters.written + counters.dropped, static_cast<uint64_t>(kLines));
    EXPECT_GE(counters.written, 1u);
    EXPECT_LE(counters.written, 5u);
    EXPECT_EQ(counters.write_errors, 0u);

    std::string received(4096, '\0');
    const ssize_t count = ::read(reader, received.data(), received.size());
    ASSERT_GT(count, 0);
    received.resize(static_cast<std::size_t>(count));
    std::istringstream lines(received);
    uint64_t number_of_lines = 0;
    for (std::string text; std::getline(lines, text);) {
      ++number_of_lines;
    }
    EXPECT_EQ(number_of_lines, counters.written);
    EXPECT_EQ(received.rfind(R"({"n":1})", 0), 0u) << "the first line was the one held";
  }
  if (reader >= 0) {
    ::close(reader);
  }
}

}  // namespace
}  // namespace failover::daemon
