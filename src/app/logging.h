#pragma once

// Logging for failover-node: named loggers per module (app, config, node, engine, mqtt,
// videohub) on standard output, as text or as JSON lines (--log-format json) that log
// collectors can read without parsing free text.

#include <string>

#include "failover/app/command_line.h"

namespace failover::app {

void setupLogging(const std::string& level, LogFormat format);

}  // namespace failover::app
