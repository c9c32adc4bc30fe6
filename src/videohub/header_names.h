#pragma once

// The header texts of the blocks this codec understands, shared by parser and encoder.

#include <optional>
#include <string_view>

#include "failover/videohub/blocks.h"

namespace failover::videohub::detail {

inline constexpr std::string_view kPreamble = "PROTOCOL PREAMBLE";
inline constexpr std::string_view kDevice = "VIDEOHUB DEVICE";
inline constexpr std::string_view kConfiguration = "CONFIGURATION";
inline constexpr std::string_view kTakeMode = "TAKE MODE";
inline constexpr std::string_view kEndPrelude = "END PRELUDE";
inline constexpr std::string_view kPing = "PING";
inline constexpr std::string_view kAck = "ACK";
inline constexpr std::string_view kNak = "NAK";

// Labels, routing and locks share one shape per port family.
std::string_view labelsHeader(PortKind port);
std::optional<std::string_view> routingHeader(PortKind destination);  // none for inputs
std::optional<std::string_view> locksHeader(PortKind port);           // none for inputs

std::optional<PortKind> labelsPortFromHeader(std::string_view header);
std::optional<PortKind> routingPortFromHeader(std::string_view header);
std::optional<PortKind> locksPortFromHeader(std::string_view header);

}  // namespace failover::videohub::detail
