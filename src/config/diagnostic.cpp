#include "failover/config/diagnostic.h"

#include <algorithm>

namespace failover::config {
namespace {

// Keys and values from the file can hold line breaks (quoted scalars); a diagnostic must
// stay one line, so control characters are shown escaped.
std::string oneLine(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string Diagnostic::render() const {
  std::string line = oneLine(file);
  if (position.known()) {
    // Appended piece by piece: "a" + std::to_string(...) trips a GCC 12 -Wrestrict false
    // positive in optimised builds.
    line.append(":").append(std::to_string(position.line));
    line.append(":").append(std::to_string(position.column));
  }
  line += ": ";
  if (!path.empty()) {
    line.append(oneLine(path)).append(": ");
  }
  if (severity == DiagnosticSeverity::Warning) {
    line += "warning: ";
  }
  line.append(oneLine(message));
  return line;
}

void sortByPosition(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.position.line != b.position.line) {
                       return a.position.line < b.position.line;
                     }
                     return a.position.column < b.position.column;
                   });
}

}  // namespace failover::config
