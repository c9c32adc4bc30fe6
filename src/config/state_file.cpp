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

Json pairJson(const PairRunState& pair) {
  Json entry = Json::object();
  if (pair.mode) {
    entry["mode"] = toString(*pair.mode);
  }
  if (pair.armed) {
    entry["armed"] = *pair.armed;
  }
  return entry;
}

Json routerJson(const RouterRunState& router) {
  Json entry = Json::object();
  if (router.enabled) {
    entry["enabled"] = *router.enabled;
  }
  return entry;
}

// One entry: the settings, and beside them under "overrode" the YAML values they replaced.
template <typename Settings, typename ToJson>
Json entriesJson(const std::map<std::string, Settings>& values,
                 const std::map<std::string, Settings>& overrode, ToJson toJson) {
  Json entries = Json::object();
  for (const auto& [id, settings] : values) {
    Json entry = toJson(settings);
    if (const auto replaced = overrode.find(id); replaced != overrode.end()) {
      if (Json before = toJson(replaced->second); !before.empty()) {
        entry["overrode"] = std::move(before);
      }
    }
    entries[id] = std::move(entry);
  }
  return entries;
}

Json toJson(const RunStateOverrides& overrides) {
  return Json{
      {"version", kFormatVersion},
      {"pairs", entriesJson(overrides.values.pairs, overrides.overrode.pairs, pairJson)},
      {"routers", entriesJson(overrides.values.routers, overrides.overrode.routers, routerJson)}};
}

// Reads a pair's settings from `entry` (the entry itself or its "overrode"); empty on
// success, else why not.
std::string readPair(const Json& entry, PairRunState& pair) {
  if (const auto mode = entry.find("mode"); mode != entry.end()) {
    pair.mode = mode->is_string()
                    ? core::valueOf(kFailoverModeNames, mode->get_ref<const std::string&>())
                    : std::nullopt;
    if (!pair.mode) {
      return "an invalid mode";
    }
  }
  if (const auto armed = entry.find("armed"); armed != entry.end()) {
    if (!armed->is_boolean()) {
      return "an invalid armed";
    }
    pair.armed = armed->get<bool>();
  }
  return {};
}

std::string readRouter(const Json& entry, RouterRunState& router) {
  if (const auto enabled = entry.find("enabled"); enabled != entry.end()) {
    if (!enabled->is_boolean()) {
      return "an invalid enabled";
    }
    router.enabled = enabled->get<bool>();
  }
  return {};
}

// Reads the "pairs" or "routers" member: each entry's settings into `values`, its
// "overrode" into `overrode`. Empty on success, else why not.
template <typename Settings, typename Read>
std::string readEntries(const Json& root, const std::string& member, const std::string& kind,
                        std::map<std::string, Settings>& values,
                        std::map<std::string, Settings>& overrode, Read read) {
  const auto entries = root.find(member);
  if (entries == root.end()) {
    return {};
  }
  if (!entries->is_object()) {
    return "\"" + member + "\" is not an object";
  }
  for (const auto& [id, entry] : entries->items()) {
    if (!entry.is_object()) {
      return kind + " \"" + id + "\" is not an object";
    }
    Settings settings;
    if (std::string why = read(entry, settings); !why.empty()) {
      return kind + " \"" + id + "\" has " + why;
    }
    values[id] = settings;
    if (const auto before = entry.find("overrode"); before != entry.end()) {
      if (!before->is_object()) {
        return kind + " \"" + id + "\" has an \"overrode\" that is not an object";
      }
      Settings replaced;
      if (std::string why = read(*before, replaced); !why.empty()) {
        return kind + " \"" + id + "\" has in \"overrode\" " + why;
      }
      overrode[id] = replaced;
    }
  }
  return {};
}

std::string text(FailoverMode mode) {
  return toString(mode);
}

std::string text(bool value) {
  return value ? "true" : "false";
}

// Applies one saved setting to the configured `value` (the YAML's) by the rules of
// applyRunState.
template <typename T>
void applySetting(const std::string& setting, const std::optional<T>& saved,
                  const std::optional<T>& overrode, T& value, std::vector<std::string>& warnings) {
  if (!saved) {
    return;
  }
  if (!overrode) {
    if (*saved != value) {
      warnings.push_back("state file: " + setting + " " + text(*saved) +
                         " was saved without the YAML value it overrode (older file); kept, "
                         "as an override of the YAML value " +
                         text(value));
      value = *saved;
    }
    return;
  }
  if (*overrode == value) {
    value = *saved;
  } else {
    // The YAML was edited since. With two-valued settings it mostly says what the override
    // said, yet the override still goes: from now on the YAML decides, so it must be told.
    warnings.push_back("state file: " + setting + " is " + text(value) +
                       " in the YAML, which was " + text(*overrode) +
                       " when it was overridden at run time; the YAML wins and the override " +
                       text(*saved) + " is dropped");
  }
}

}  // namespace

Result<RunStateOverrides> loadRunState(const std::string& path) {
  bool missing = false;
  auto text = readBounded(path, missing);
  if (!text) {
    return text.status();
  }
  RunStateOverrides state;
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
  if (std::string why =
          readEntries(root, "pairs", "pair", state.values.pairs, state.overrode.pairs, readPair);
      !why.empty()) {
    return corrupt(path, why);
  }
  if (std::string why = readEntries(root, "routers", "router", state.values.routers,
                                    state.overrode.routers, readRouter);
      !why.empty()) {
    return corrupt(path, why);
  }
  return state;
}

Status saveRunState(const std::string& path, const RunStateOverrides& overrides) {
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
  const std::string text =
      toJson(overrides).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";

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

std::vector<std::string> applyRunState(Config& config, const RunStateOverrides& saved) {
  std::vector<std::string> warnings;
  // Structured bindings are not captured by lambdas before clang 16; name them plainly.
  for (const auto& entry : saved.values.pairs) {
    const std::string& id = entry.first;
    auto pair = std::find_if(config.pairs.begin(), config.pairs.end(),
                             [&](const PairSettings& p) { return p.id == id; });
    if (pair == config.pairs.end()) {
      warnings.push_back("state file names pair '" + id +
                         "', which the configuration does not have; ignored");
      continue;
    }
    const auto replaced = saved.overrode.pairs.find(id);
    const PairRunState* before =
        replaced == saved.overrode.pairs.end() ? nullptr : &replaced->second;
    const std::string what = "pair '" + id + "' ";
    applySetting(what + "mode", entry.second.mode, before ? before->mode : std::nullopt, pair->mode,
                 warnings);
    applySetting(what + "armed", entry.second.armed, before ? before->armed : std::nullopt,
                 pair->armed, warnings);
  }
  for (const auto& entry : saved.values.routers) {
    const std::string& id = entry.first;
    auto router = std::find_if(config.routers.begin(), config.routers.end(),
                               [&](const RouterSettings& r) { return r.id == id; });
    if (router == config.routers.end()) {
      warnings.push_back("state file names router '" + id +
                         "', which the configuration does not have; ignored");
      continue;
    }
    const auto replaced = saved.overrode.routers.find(id);
    const std::optional<bool> before =
        replaced == saved.overrode.routers.end() ? std::nullopt : replaced->second.enabled;
    applySetting("router '" + id + "' enabled", entry.second.enabled, before, router->enabled,
                 warnings);
  }
  return warnings;
}

RunStateOverrides overridesOf(const RunState& current, const RunState& configured) {
  RunStateOverrides overrides;
  for (const auto& [id, now] : current.pairs) {
    const auto yaml = configured.pairs.find(id);
    if (yaml == configured.pairs.end()) {
      continue;
    }
    if (now.mode && now.mode != yaml->second.mode) {
      overrides.values.pairs[id].mode = now.mode;
      overrides.overrode.pairs[id].mode = yaml->second.mode;
    }
    if (now.armed && now.armed != yaml->second.armed) {
      overrides.values.pairs[id].armed = now.armed;
      overrides.overrode.pairs[id].armed = yaml->second.armed;
    }
  }
  for (const auto& [id, now] : current.routers) {
    const auto yaml = configured.routers.find(id);
    if (yaml == configured.routers.end()) {
      continue;
    }
    if (now.enabled && now.enabled != yaml->second.enabled) {
      overrides.values.routers[id].enabled = now.enabled;
      overrides.overrode.routers[id].enabled = yaml->second.enabled;
    }
  }
  return overrides;
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
