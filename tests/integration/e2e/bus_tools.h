#pragma once

// Publishing to the lab's broker the way render agents and operators do: with the Mosquitto
// command-line clients, one process per message.

#include <cstdint>
#include <filesystem>
#include <string>

namespace failover::e2e {

inline constexpr const char* kMosquittoPub = "/usr/bin/mosquitto_pub";
inline constexpr const char* kMosquittoSub = "/usr/bin/mosquitto_sub";

// Publishes one message at QoS 1 and waits for mosquitto_pub to exit. Throws
// std::runtime_error when it fails.
void publishOnce(uint16_t port, const std::string& topic, const std::string& payload, bool retain);

// Publishes the contents of `file` as one message (for payloads too big for a command line).
void publishFile(uint16_t port, const std::string& topic, const std::filesystem::path& file);

}  // namespace failover::e2e
