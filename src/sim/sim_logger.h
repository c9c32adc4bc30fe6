#pragma once

// The simulator's named logger, "sim", on stderr (stdout carries the address line and the
// control answers). Created on first use.

#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace failover::sim {

inline std::shared_ptr<spdlog::logger> simLogger() {
  auto logger = spdlog::get("sim");
  if (!logger) {
    logger = spdlog::stderr_color_mt("sim");
  }
  return logger;
}

}  // namespace failover::sim
