#pragma once

// Turns a parsed YAML document into a Config: structure, key names, types and enumerated
// values. Every problem becomes an error with the key's position; values that could not be
// read keep their defaults and are marked as reported in the SourceMap, so validation does
// not complain about them twice. Never throws on any document.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "failover/config/config.h"
#include "failover/config/diagnostic.h"
#include "failover/config/validate.h"

namespace failover::config {

struct ReadResult {
  Config config;
  SourceMap source;
  std::vector<Diagnostic> errors;
};

ReadResult readConfig(const YAML::Node& root, const std::string& file);

}  // namespace failover::config
