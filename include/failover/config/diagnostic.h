#pragma once

// A problem found in a configuration file, with the position it refers to. Rendered as
// `FILE:LINE:COL: key.path: message`, the one format `--check-config` prints, so editors
// and scripts can jump to the spot.

#include <string>
#include <vector>

namespace failover::config {

enum class DiagnosticSeverity { Error, Warning };

// A 1-based line and column in the file; 0/0 when the problem concerns the whole file
// (missing, too large, not text) or a value that was not read from a file.
struct Position {
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  friend bool operator==(const Position&, const Position&) = default;
};

struct Diagnostic {
  DiagnosticSeverity severity = DiagnosticSeverity::Error;
  std::string file;  // the file name as the user gave it
  Position position;
  std::string path;  // dotted key path, e.g. "pairs.green.backup"; list items as "rules[0]"
  std::string message;

  // `FILE:LINE:COL: key.path: message`. Without a position: `FILE: key.path: message`;
  // without a path: `FILE:LINE:COL: message`. Warnings get "warning: " before the message.
  // Always one line: line breaks and other control characters from the file are escaped.
  std::string render() const;
};

// Orders diagnostics by position (file order); diagnostics without a position come first.
// Stable: diagnostics at one position keep their order.
void sortByPosition(std::vector<Diagnostic>& diagnostics);

}  // namespace failover::config
