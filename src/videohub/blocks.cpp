#include "failover/videohub/blocks.h"

#include "header_names.h"

namespace failover::videohub {
namespace {

struct HeaderOf {
  std::string operator()(const PreambleBlock&) const { return std::string(detail::kPreamble); }
  std::string operator()(const DeviceBlock&) const { return std::string(detail::kDevice); }
  std::string operator()(const LabelsBlock& block) const {
    return std::string(detail::labelsHeader(block.port));
  }
  std::string operator()(const RoutingBlock& block) const {
    return std::string(detail::routingHeader(block.destination).value_or("VIDEO OUTPUT ROUTING"));
  }
  std::string operator()(const LocksBlock& block) const {
    return std::string(detail::locksHeader(block.port).value_or("VIDEO OUTPUT LOCKS"));
  }
  std::string operator()(const ConfigurationBlock&) const {
    return std::string(detail::kConfiguration);
  }
  std::string operator()(const TakeModeBlock&) const { return std::string(detail::kTakeMode); }
  std::string operator()(const EndPreludeBlock&) const { return std::string(detail::kEndPrelude); }
  std::string operator()(const PingBlock&) const { return std::string(detail::kPing); }
  std::string operator()(const AckBlock&) const { return std::string(detail::kAck); }
  std::string operator()(const NakBlock&) const { return std::string(detail::kNak); }
  std::string operator()(const UnknownBlock& block) const { return block.header; }
};

}  // namespace

std::string headerOf(const Block& block) {
  return std::visit(HeaderOf{}, block);
}

char lockCode(LockState state) {
  return core::nameOf(kLockCodes, state)[0];
}

const char* toString(DevicePresence presence) {
  return core::nameOf(kDevicePresenceNames, presence);
}

const char* toString(PortKind port) {
  switch (port) {
    case PortKind::VideoInput:
      return "input";
    case PortKind::VideoOutput:
      return "output";
    case PortKind::MonitoringOutput:
      return "monitoring output";
    case PortKind::SerialPort:
      return "serial port";
  }
  return "?";
}

}  // namespace failover::videohub
