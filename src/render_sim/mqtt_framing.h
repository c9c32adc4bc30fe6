#pragma once

// Just enough MQTT framing for the relay to find packet boundaries in a byte stream and to
// answer a client itself while its broker connection is cut. Packet contents are never
// interpreted beyond the fixed header and a PUBLISH's packet identifier.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace failover::render_sim::framing {

inline constexpr uint8_t kConnect = 1;
inline constexpr uint8_t kConnack = 2;
inline constexpr uint8_t kPublish = 3;
inline constexpr uint8_t kPingreq = 12;
inline constexpr uint8_t kDisconnect = 14;

// Packets larger than this end the relayed connection: nothing render-sim sends is close.
inline constexpr std::size_t kMaxPacketBytes = 1 << 20;

enum class Split { Complete, NeedMore, Malformed };

// Looks for one whole packet at the start of `bytes`; on Complete, `size` is its length.
Split nextPacket(std::string_view bytes, std::size_t& size);

inline uint8_t packetType(std::string_view packet) {
  return static_cast<uint8_t>(static_cast<uint8_t>(packet[0]) >> 4);
}

// The packet identifier of a QoS 1 or 2 PUBLISH, if it has one.
std::optional<uint16_t> publishPacketId(std::string_view packet);

// The connect return code (3.1.1) or reason code (5) of a CONNACK; 0 means accepted.
std::optional<uint8_t> connackCode(std::string_view packet);

std::string pingresp();
std::string puback(uint16_t packet_id);  // valid for 3.1.1 and 5 (success, no properties)

}  // namespace failover::render_sim::framing
