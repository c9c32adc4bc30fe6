#include "failover/config/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace failover::config {
namespace {

using core::Result;
using core::Status;
using Json = nlohmann::json;

constexpr int kFormatVersion = 1;

std::string systemError(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

Status corrupt(const std::string& path, const std::string& why) {
  return Status::invalidArgument("state file " + path + " is corrupt (" + why + ")");
}

Result<std::string> readBounded(const std::string& path, bool& missing) {
  missing = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      missing = true;
      return std::string();
    }
    return Status::unavailable(systemError("cannot open state file", path));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return Status::invalidArgument("state file " + path + " is not a regular file");
  }
  std::string text(kMaxStateFileBytes + 1, '\0');
  std::size_t filled = 0;
  while (filled < text.size()) {
    const ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return Status::unavailable(systemError("cannot read state file", path));
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  if (filled > kMaxStateFileBytes) {
    return corrupt(path, "larger than " + std::to_string(kMaxStateFileBytes) + " bytes");
  }
  text.resize(filled);
  return text;
}

bool writeAll(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t done = ::write(fd, text.data() + written, text.size() - written);
    if (done < 0 && errno == EINTR) {
      continue;
    }
    if (done <= 0) {
      return false;
    }
    written += static_cast<std::size_t>(done);
  }
  return true;
}

Json toJson(const RunState& state) {
  Json pairs = Json::object();
  for (const auto& [id, pair] : state.pairs) {
    Json entry = Json::object();
    if (pair.mode) {
      entry["mode"] = toString(*pair.mode);
    }
    if (pair.armed) {
      entry["armed"] = *pair.armed;
    }
    pairs[id] = std::move(entry);
  }
  Json routers = Json::object();
  for (const auto& [id, router] : state.routers) {
    Json entry = Json::object();
    if (router.enabled) {
      entry["enabled"] = *router.enabled;
    }
    routers[id] = std::move(entry);
  }
  return Json{{"version", kFormatVersion}, {"pairs", pairs}, {"routers", routers}};
}

}  // namespace

Result<RunState> loadRunState(const std::string& path) {
  bool missing = false;
  auto text = readBounded(path, missing);
  if (!text) {
    return text.status();
  }
  RunState state;
  if (missing) {
    return state;
  }
  const Json root = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return corrupt(path, "not valid JSON");
  }
  if (!root.is_object()) {
    return corrupt(path, "expected a JSON object");
  }
  if (const auto version = root.find("version");
      version == root.end() || !version->is_number_integer() || *version != kFormatVersion) {
    return corrupt(path, "missing or unsupported \"version\"");
  }
  if (const auto pairs = root.find("pairs"); pairs != root.end()) {
    if (!pairs->is_object()) {
      return corrupt(path, "\"pairs\" is not an object");
    }
    for (const auto& [id, entry] : pairs->items()) {
      if (!entry.is_object()) {
        return corrupt(path, "pair \"" + id + "\" is not an object");
      }
      PairRunState pair;
      if (const auto mode = entry.find("mode"); mode != entry.end()) {
        pair.mode = mode->is_string()
                        ? core::valueOf(kFailoverModeNames, mode->get_ref<const std::string&>())
                        : std::nullopt;
        if (!pair.mode) {
          return corrupt(path, "pair \"" + id + "\" has an invalid mode");
        }
      }
      if (const auto armed = entry.find("armed"); armed != entry.end()) {
        if (!armed->is_boolean()) {
          return corrupt(path, "pair \"" + id + "\" has an invalid armed");
        }
        pair.armed = armed->get<bool>();
      }
      state.pairs[id] = pair;
    }
  }
  if (const auto routers = root.find("routers"); routers != root.end()) {
    if (!routers->is_object()) {
      return corrupt(path, "\"routers\" is not an object");
    }
    for (const auto& [id, entry] : routers->items()) {
      if (!entry.is_object()) {
        return corrupt(path, "router \"" + id + "\" is not an object");
      }
      RouterRunState router;
      if (const auto enabled = entry.find("enabled"); enabled != entry.end()) {
        if (!enabled->is_boolean()) {
          return corrupt(path, "router \"" + id + "\" has an invalid enabled");
        }
        router.enabled = enabled->get<bool>();
      }
      state.routers[id] = router;
    }
  }
  return state;
}

Status saveRunState(const std::string& path, const RunState& state) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) {
    return Status::unavailable("cannot create directory " + directory.string() + ": " +
                               ec.message());
  }
  // error_handler_t::replace: ids are ours, but a state file must never fail on encoding.
  const std::string text = toJson(state).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";

  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::unavailable(systemError("cannot create", temp));
  }
  const bool written = writeAll(fd, text) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    errno = saved_errno;
    return Status::unavailable(systemError("cannot write", temp));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string message = systemError("cannot replace", path);
    ::unlink(temp.c_str());
    return Status::unavailable(message);
  }
  // The rename itself is only durable once the directory entry is on disk.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::ok();
}

std::vector<std::string> applyRunState(Config& config, const RunState& state) {
  std::vector<std::string> warnings;
  // Structured bindings are not captured by lambdas before clang 16; name them plainly.
  for (const auto& entry : state.pairs) {
    const std::string& id = entry.first;
    const PairRunState& saved = entry.second;
    auto pair = std::find_if(config.pairs.begin(), config.pairs.end(),
                             [&](const PairSettings& p) { return p.id == id; });
    if (pair == config.pairs.end()) {
      warnings.push_back("state file names pair '" + id +
                         "', which the configuration does not have; ignored");
      continue;
    }
    if (saved.mode) {
      pair->mode = *saved.mode;
    }
    if (saved.armed) {
      pair->armed = *saved.armed;
    }
  }
  for (const auto& entry : state.routers) {
    const std::string& id = entry.first;
    const RouterRunState& saved = entry.second;
    auto router = std::find_if(config.routers.begin(), config.routers.end(),
                               [&](const RouterSettings& r) { return r.id == id; });
    if (router == config.routers.end()) {
      warnings.push_back("state file names router '" + id +
                         "', which the configuration does not have; ignored");
      continue;
    }
    if (saved.enabled) {
      router->enabled = *saved.enabled;
    }
  }
  return warnings;
}

RunState runStateOf(const Config& config) {
  RunState state;
  for (const auto& pair : config.pairs) {
    state.pairs[pair.id] = {pair.mode, pair.armed};
  }
  for (const auto& router : config.routers) {
    state.routers[router.id] = {router.enabled};
  }
  return state;
}

}  // namespace failover::config
