#include "failover/config/diagnostic.h"

#include <algorithm>

namespace failover::config {

std::string Diagnostic::render() const {
  std::string line = file;
  if (position.known()) {
    line += ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
  }
  line += ": ";
  if (!path.empty()) {
    line += path + ": ";
  }
  if (severity == DiagnosticSeverity::Warning) {
    line += "warning: ";
  }
  return line + message;
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
