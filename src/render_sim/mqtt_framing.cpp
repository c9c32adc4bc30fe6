#include "mqtt_framing.h"

namespace failover::render_sim::framing {
namespace {

struct Header {
  std::size_t header_bytes = 0;  // fixed header: type byte plus the length bytes
  std::size_t remaining = 0;
};

Split readHeader(std::string_view bytes, Header& header) {
  std::size_t remaining = 0;
  std::size_t multiplier = 1;
  for (std::size_t i = 1; i <= 4; ++i) {
    if (i >= bytes.size()) {
      return Split::NeedMore;
    }
    const auto byte = static_cast<uint8_t>(bytes[i]);
    remaining += (byte & 0x7Fu) * multiplier;
    if ((byte & 0x80u) == 0) {
      header.header_bytes = i + 1;
      header.remaining = remaining;
      return Split::Complete;
    }
    multiplier *= 128;
  }
  return Split::Malformed;
}

}  // namespace

Split nextPacket(std::string_view bytes, std::size_t& size) {
  if (bytes.empty()) {
    return Split::NeedMore;
  }
  Header header;
  const auto split = readHeader(bytes, header);
  if (split != Split::Complete) {
    return split;
  }
  if (header.remaining > kMaxPacketBytes) {
    return Split::Malformed;
  }
  if (bytes.size() < header.header_bytes + header.remaining) {
    return Split::NeedMore;
  }
  size = header.header_bytes + header.remaining;
  return Split::Complete;
}

std::optional<uint16_t> publishPacketId(std::string_view packet) {
  Header header;
  if (packet.empty() || packetType(packet) != kPublish ||
      readHeader(packet, header) != Split::Complete) {
    return std::nullopt;
  }
  const unsigned qos = (static_cast<uint8_t>(packet[0]) >> 1) & 0x03u;
  const std::string_view body = packet.substr(header.header_bytes);
  if (qos == 0 || body.size() < 2) {
    return std::nullopt;
  }
  const std::size_t topic_length = (static_cast<std::size_t>(static_cast<uint8_t>(body[0])) << 8) |
                                   static_cast<uint8_t>(body[1]);
  const std::size_t at = 2 + topic_length;
  if (body.size() < at + 2) {
    return std::nullopt;
  }
  return static_cast<uint16_t>((static_cast<unsigned>(static_cast<uint8_t>(body[at])) << 8) |
                               static_cast<uint8_t>(body[at + 1]));
}

std::optional<uint8_t> connackCode(std::string_view packet) {
  Header header;
  if (packet.empty() || packetType(packet) != kConnack ||
      readHeader(packet, header) != Split::Complete || header.remaining < 2) {
    return std::nullopt;
  }
  return static_cast<uint8_t>(packet[header.header_bytes + 1]);
}

std::string pingresp() {
  return std::string("\xD0\x00", 2);
}

std::string puback(uint16_t packet_id) {
  std::string packet("\x40\x02", 2);
  packet += static_cast<char>(packet_id >> 8);
  packet += static_cast<char>(packet_id & 0xFFu);
  return packet;
}

}  // namespace failover::render_sim::framing
