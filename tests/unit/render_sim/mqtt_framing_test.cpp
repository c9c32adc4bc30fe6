// The relay's MQTT framing: packet boundaries across split reads, the fields it reads, and
// the packets it answers with while a machine's link is cut.

#include "mqtt_framing.h"

#include <gtest/gtest.h>

namespace failover::render_sim::framing {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int value : values) {
    out += static_cast<char>(value);
  }
  return out;
}

TEST(MqttFraming, FindsPacketBoundaries) {
  std::size_t size = 0;
  EXPECT_EQ(nextPacket("", size), Split::NeedMore);
  EXPECT_EQ(nextPacket(bytes({0xC0}), size), Split::NeedMore);
  EXPECT_EQ(nextPacket(bytes({0xC0, 0x00}), size), Split::Complete);
  EXPECT_EQ(size, 2u);
  // Two-byte remaining length: 200 = 0xC8 0x01.
  std::string big = bytes({0x30, 0xC8, 0x01}) + std::string(199, 'x');
  EXPECT_EQ(nextPacket(big, size), Split::NeedMore);
  big += "yz";
  EXPECT_EQ(nextPacket(big, size), Split::Complete);
  EXPECT_EQ(size, 203u);
  EXPECT_EQ(nextPacket(bytes({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), size), Split::Malformed);
  EXPECT_EQ(nextPacket(bytes({0x30, 0xFF, 0xFF, 0xFF, 0x7F}), size), Split::Malformed);
}

TEST(MqttFraming, ReadsPublishIdsAndConnackCodes) {
  // QoS 1 PUBLISH, topic "a/b", packet id 0x1234, payload "x".
  const auto qos1 = bytes({0x32, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x12, 0x34, 'x'});
  EXPECT_EQ(packetType(qos1), kPublish);
  EXPECT_EQ(publishPacketId(qos1), 0x1234);
  const auto qos0 = bytes({0x30, 0x06, 0x00, 0x03, 'a', '/', 'b', 'x'});
  EXPECT_FALSE(publishPacketId(qos0));
  EXPECT_FALSE(publishPacketId(bytes({0x32, 0x02, 0x00, 0x09})));
  EXPECT_EQ(connackCode(bytes({0x20, 0x02, 0x00, 0x00})), 0);
  EXPECT_EQ(connackCode(bytes({0x20, 0x03, 0x00, 0x87, 0x00})), 0x87);
  EXPECT_FALSE(connackCode(bytes({0x20, 0x01, 0x00})));
  EXPECT_FALSE(connackCode(bytes({0xD0, 0x00})));
}

TEST(MqttFraming, LocalAnswers) {
  EXPECT_EQ(pingresp(), bytes({0xD0, 0x00}));
  EXPECT_EQ(puback(0xABCD), bytes({0x40, 0x02, 0xAB, 0xCD}));
}

}  // namespace
}  // namespace failover::render_sim::framing
