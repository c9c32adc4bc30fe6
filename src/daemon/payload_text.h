#pragma once

// Small text helpers shared by the payload parsers of the daemon.

#include <string_view>

namespace failover::daemon {

// `text` without leading and trailing spaces, tabs and line ends: payloads typed by people or
// sent by shell tools often end in a newline.
inline std::string_view trim(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

}  // namespace failover::daemon
