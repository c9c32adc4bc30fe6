#pragma once

// A fresh directory under the system's temporary directory (/tmp), for one test, lab or
// benchmark run, removed with everything in it when the TempDir goes away (unless keep() was
// called, for a run whose files are wanted for inspection).

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace failover::testing {

class TempDir {
 public:
  // Creates <temp>/<prefix>-XXXXXX. Throws std::runtime_error when it cannot.
  explicit TempDir(const std::string& prefix = "failover-test");
  // The same without throwing, for owners that report the failure later: nullopt when the
  // directory cannot be created.
  static std::optional<TempDir> tryCreate(const std::string& prefix);

  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (the file need not exist).
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to `name` byte for byte and returns its path.
  std::string write(const std::string& name, const std::string& content) const;

  // Leaves the directory in place when the TempDir goes away.
  void keep() { keep_ = true; }

 private:
  struct Created {
    std::filesystem::path path;
  };
  explicit TempDir(Created created) : path_(std::move(created.path)) {}

  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace failover::testing
