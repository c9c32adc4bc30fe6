#include "failover/daemon/response_topic.h"

namespace failover::daemon {

bool responseTopicAllowed(std::string_view topic, const std::vector<std::string>& prefixes) {
  if (topic.empty() || topic.find_first_of("+#") != std::string_view::npos) {
    return false;
  }
  for (const auto& prefix : prefixes) {
    if (topic.substr(0, prefix.size()) == prefix) {
      return true;
    }
  }
  return false;
}

}  // namespace failover::daemon
