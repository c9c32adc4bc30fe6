#include "support/temp_dir.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace failover::testing {
namespace {

std::optional<std::filesystem::path> makeDirectory(const std::string& prefix) {
  std::error_code error;
  const auto base = std::filesystem::temp_directory_path(error);
  if (error) {
    return std::nullopt;
  }
  std::string pattern = (base / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return std::nullopt;
  }
  return std::filesystem::path(pattern);
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  auto path = makeDirectory(prefix);
  if (!path) {
    throw std::runtime_error("cannot create a temporary directory");
  }
  path_ = std::move(*path);
}

std::optional<TempDir> TempDir::tryCreate(const std::string& prefix) {
  auto path = makeDirectory(prefix);
  if (!path) {
    return std::nullopt;
  }
  return TempDir(Created{std::move(*path)});
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), keep_(other.keep_) {}

TempDir::~TempDir() {
  if (!keep_ && !path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  std::ofstream out(path_ / name, std::ios::binary);
  out << content;
  return file(name);
}

}  // namespace failover::testing
