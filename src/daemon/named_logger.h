#pragma once

// The daemon's named loggers (docs/architecture.md): the one the application registered under
// `name`, or spdlog's default logger when none was (unit tests).

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace failover::daemon {

inline std::shared_ptr<spdlog::logger> namedLogger(const std::string& name) {
  auto logger = spdlog::get(name);
  return logger ? logger : spdlog::default_logger();
}

}  // namespace failover::daemon
