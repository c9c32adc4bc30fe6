#pragma once

// render-sim's command line: which machines to simulate, where the broker is, which topic
// patterns to publish on and how the simulator is driven. Pure parsing, no I/O apart from
// reading the node configuration named by --topics-from.

#include <optional>
#include <string>
#include <vector>

#include "failover/core/result.h"

namespace failover::render_sim {

// Topic patterns; "{machine}" is replaced by the machine id. The defaults are the node's
// default health topics (SPEC 4), so a node with a default configuration hears the
// simulator without any setup.
struct TopicPatterns {
  std::string status = "render/{machine}/status";
  std::string engine = "render/{machine}/engine";
  std::string videoio = "render/{machine}/videoio";
  std::string network = "render/{machine}/network";
  std::string diagnostics = "diagnostics/{machine}/health";
  // Fault commands arrive here (payload = a command line); answers go to "<topic>/reply".
  std::string control = "render-sim/{machine}/fault";
};

enum class ControlMode { Stdin, None };

struct RenderSimOptions {
  std::string broker_uri = "tcp://127.0.0.1:1883";  // tcp:// or mqtt:// only
  std::string broker_host = "127.0.0.1";            // parsed from broker_uri
  std::string broker_port = "1883";
  std::vector<std::string> machines;  // ids, [a-z0-9_-]+, in the order given
  int rate_ms = 100;                  // publish period of every periodic topic
  std::string mode = "live";          // initial engine mode of every machine: live | edit
  TopicPatterns topics;
  std::optional<int> duration_s;  // stop cleanly after this long
  ControlMode control = ControlMode::Stdin;
  std::string log_level = "warn";
  bool help = false;
};

// Parses the arguments after the program name. Errors name the flag and what was expected.
// --topics-from reads the node's YAML configuration: its health topic patterns and, when no
// --machine is given, its machines; explicit topic flags win over the file.
core::Result<RenderSimOptions> parseRenderSimOptions(const std::vector<std::string>& args);

// Replaces every "{machine}" in `pattern` by `machine`.
std::string expandTopic(const std::string& pattern, const std::string& machine);

// The machine id in `topic` if it matches `pattern` (the id may not contain '/').
std::optional<std::string> matchTopic(const std::string& pattern, const std::string& topic);

// True for ids the node accepts: [a-z0-9_-]+.
bool isValidMachineId(const std::string& id);

std::string usageText();

}  // namespace failover::render_sim
