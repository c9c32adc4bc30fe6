// End to end: the built failover-node binary with --check-config.

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "config_test_support.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace failover::config {
namespace {

using failover::testing::TempDir;
using ::testing::ElementsAre;
using testing::fixturePath;
using ::testing::HasSubstr;

struct Outcome {
  int exit_code = -1;
  std::vector<std::string> stdout_lines;
  std::vector<std::string> stderr_lines;
};

std::vector<std::string> linesOf(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// Points this process's stderr at a file while alive, so a child started meanwhile inherits
// it (ChildProcess passes stderr through).
class StderrToFile {
 public:
  explicit StderrToFile(const std::string& path)
      : saved_(::dup(STDERR_FILENO)),
        file_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {
    if (saved_ < 0 || file_ < 0 || ::dup2(file_, STDERR_FILENO) < 0) {
      throw std::runtime_error("cannot redirect stderr to " + path);
    }
  }
  ~StderrToFile() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    ::close(file_);
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

 private:
  int saved_;
  int file_;
};

// Runs `failover-node --check-config PATH` and collects its exit code and output.
Outcome checkConfig(const std::string& config_path) {
  TempDir dir;
  const std::string err_path = dir.file("stderr.txt");
  Outcome outcome;
  std::optional<failover::testing::ChildProcess> child;
  {
    StderrToFile redirect(err_path);
    child.emplace(std::vector<std::string>{failover::testing::binaryPath("failover-node"),
                                           "--check-config", config_path});
  }
  while (auto line = child->readLine(std::chrono::seconds(10))) {
    outcome.stdout_lines.push_back(*line);
  }
  const auto status = child->waitForExit(std::chrono::seconds(10));
  if (status && WIFEXITED(*status)) {
    outcome.exit_code = WEXITSTATUS(*status);
  }
  child.reset();
  outcome.stderr_lines = linesOf(err_path);
  return outcome;
}

TEST(CheckConfigCliTest, GoodFilePrintsTheSummaryAndExitsZero) {
  const std::string path = std::string(FAILOVER_SOURCE_DIR) + "/config/lab.yaml";
  const Outcome outcome = checkConfig(path);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.stdout_lines, ElementsAre("OK: 2 pairs, 4 machines, 1 router"));
  EXPECT_THAT(outcome.stderr_lines, ElementsAre());
}

TEST(CheckConfigCliTest, ExampleFilePasses) {
  const Outcome outcome = checkConfig(std::string(FAILOVER_SOURCE_DIR) + "/config/example.yaml");
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.stdout_lines, ElementsAre("OK: 3 pairs, 5 machines, 1 router"));
}

TEST(CheckConfigCliTest, WarningsArePrintedBeforeTheSummary) {
  const std::string path = fixturePath("feature_mismatch.yaml");
  const Outcome outcome = checkConfig(path);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.stdout_lines, ElementsAre("OK: 2 pairs, 4 machines, 1 router"));
  ASSERT_EQ(outcome.stderr_lines.size(), 1U);
  EXPECT_THAT(outcome.stderr_lines[0],
              HasSubstr(path + ":12:5: pairs.green.backup: warning: features of Main"));
}

TEST(CheckConfigCliTest, BadFileListsEveryErrorAndExitsOne) {
  const std::string path = fixturePath("unknown_references.yaml");
  const Outcome outcome = checkConfig(path);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.stdout_lines, ElementsAre());
  EXPECT_THAT(
      outcome.stderr_lines,
      ElementsAre(path + ":8:5: pairs.green.router: unknown router 'vh2' (did you mean 'vh1'?)",
                  path + ":10:5: pairs.green.backup: unknown machine 'green-bakup' (did you mean "
                         "'green-backup'?)",
                  path + ":13:5: pairs.blue.router: unknown router 'videohub' (routers: vh1)",
                  path + ":14:5: pairs.blue.main: unknown machine 'blue-main' (machines: "
                         "green-main, green-backup)"));
}

TEST(CheckConfigCliTest, MissingFileIsOneLineAndExitsOne) {
  const Outcome outcome = checkConfig("/nonexistent/failover.yaml");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.stderr_lines,
              ElementsAre("/nonexistent/failover.yaml: cannot open: No such file or directory"));
}

TEST(CheckConfigCliTest, BinaryGarbageIsOneLineAndExitsOne) {
  TempDir dir;
  const std::string path = dir.write("garbage.yaml", std::string("\x7f"
                                                                 "ELF\0\0\0\x02\xff",
                                                                 9));
  const Outcome outcome = checkConfig(path);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.stderr_lines,
              ElementsAre(path + ":1:5: the file is not UTF-8 text (NUL byte at offset 4)"));
}

}  // namespace
}  // namespace failover::config
