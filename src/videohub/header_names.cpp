#include "header_names.h"

#include <array>
#include <utility>

namespace failover::videohub::detail {
namespace {

using Entry = std::pair<PortKind, std::string_view>;

constexpr std::array kLabelHeaders = {
    Entry{PortKind::VideoInput, "INPUT LABELS"},
    Entry{PortKind::VideoOutput, "OUTPUT LABELS"},
    Entry{PortKind::MonitoringOutput, "MONITORING OUTPUT LABELS"},
    Entry{PortKind::SerialPort, "SERIAL PORT LABELS"},
};
constexpr std::array kRoutingHeaders = {
    Entry{PortKind::VideoOutput, "VIDEO OUTPUT ROUTING"},
    Entry{PortKind::MonitoringOutput, "VIDEO MONITORING OUTPUT ROUTING"},
    Entry{PortKind::SerialPort, "SERIAL PORT ROUTING"},
};
constexpr std::array kLockHeaders = {
    Entry{PortKind::VideoOutput, "VIDEO OUTPUT LOCKS"},
    Entry{PortKind::MonitoringOutput, "MONITORING OUTPUT LOCKS"},
    Entry{PortKind::SerialPort, "SERIAL PORT LOCKS"},
};

template <size_t N>
std::optional<std::string_view> headerFor(const std::array<Entry, N>& table, PortKind port) {
  for (const auto& [kind, header] : table) {
    if (kind == port) {
      return header;
    }
  }
  return std::nullopt;
}

template <size_t N>
std::optional<PortKind> portFor(const std::array<Entry, N>& table, std::string_view header) {
  for (const auto& [kind, text] : table) {
    if (text == header) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view labelsHeader(PortKind port) {
  return *headerFor(kLabelHeaders, port);
}
std::optional<std::string_view> routingHeader(PortKind destination) {
  return headerFor(kRoutingHeaders, destination);
}
std::optional<std::string_view> locksHeader(PortKind port) {
  return headerFor(kLockHeaders, port);
}

std::optional<PortKind> labelsPortFromHeader(std::string_view header) {
  return portFor(kLabelHeaders, header);
}
std::optional<PortKind> routingPortFromHeader(std::string_view header) {
  return portFor(kRoutingHeaders, header);
}
std::optional<PortKind> locksPortFromHeader(std::string_view header) {
  return portFor(kLockHeaders, header);
}

}  // namespace failover::videohub::detail
