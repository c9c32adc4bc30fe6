#pragma once

// MQTT 5 request/response: whether the node answers a request on the Response Topic it names.
// Only topics under one of mqtt.response_topic_prefixes are used (a request must not make the
// node publish anywhere it likes), and never one with a wildcard, which MQTT forbids in a topic
// name (a broker may drop a client that publishes to one).

#include <string>
#include <string_view>
#include <vector>

namespace failover::daemon {

bool responseTopicAllowed(std::string_view topic, const std::vector<std::string>& prefixes);

}  // namespace failover::daemon
