#include "failover/core/host_port.h"

#include <array>
#include <charconv>

namespace failover::core {
namespace {

constexpr uint32_t kMaxPort = 65535;

// Characters that are never part of a host name or an address literal: blanks and control
// characters (a pasted line break, a stray space), '/' (a URI path or a CIDR suffix), and
// brackets outside their place.
bool isValidHost(std::string_view host) {
  for (const char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '/' || c == '[' || c == ']') {
      return false;
    }
  }
  return true;
}

AddressError readPort(std::string_view text, const AddressRules& rules, uint16_t& port) {
  if (text.empty()) {
    return AddressError::MissingPort;
  }
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return AddressError::BadPort;
    }
  }
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > kMaxPort ||
      (value == 0 && !rules.allow_port_zero)) {
    return AddressError::PortOutOfRange;  // digits only, so the only failure is the size
  }
  port = static_cast<uint16_t>(value);
  return AddressError::None;
}

HostPortResult failure(AddressError error) {
  HostPortResult result;
  result.error = error;
  return result;
}

constexpr std::array kBrokerSchemes = {
    BrokerScheme{"tcp", 1883, false, false}, BrokerScheme{"mqtt", 1883, false, false},
    BrokerScheme{"ssl", 8883, true, false},  BrokerScheme{"mqtts", 8883, true, false},
    BrokerScheme{"ws", 80, false, true},     BrokerScheme{"wss", 443, true, true},
};

constexpr std::string_view kSchemeSeparator = "://";

}  // namespace

const char* describe(AddressError error) {
  switch (error) {
    case AddressError::None:
      return "ok";
    case AddressError::Empty:
      return "empty address";
    case AddressError::MissingHost:
      return "missing host";
    case AddressError::UnclosedBracket:
      return "missing ']'";
    case AddressError::TextAfterBracket:
      return "only ':PORT' may follow ']'";
    case AddressError::UnbracketedIpv6:
      return "write an IPv6 address as [ADDR]:PORT";
    case AddressError::BadHost:
      return "invalid character in host";
    case AddressError::MissingPort:
      return "missing port";
    case AddressError::BadPort:
      return "port is not a number";
    case AddressError::PortOutOfRange:
      return "port out of range";
    case AddressError::UnknownScheme:
      return "unknown scheme";
  }
  return "invalid address";
}

HostPortResult parseHostPort(std::string_view text, const AddressRules& rules) {
  if (text.empty()) {
    return failure(AddressError::Empty);
  }
  std::string_view host;
  std::optional<std::string_view> port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return failure(AddressError::UnclosedBracket);
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return failure(AddressError::TextAfterBracket);
      }
      port_text = rest.substr(1);
    }
  } else if (const auto colon = text.find(':'); colon == std::string_view::npos) {
    host = text;
  } else if (text.find(':', colon + 1) != std::string_view::npos) {
    if (!rules.allow_bare_ipv6) {
      return failure(AddressError::UnbracketedIpv6);
    }
    host = text;
  } else {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) {
    return failure(AddressError::MissingHost);
  }
  if (!isValidHost(host)) {
    return failure(AddressError::BadHost);
  }
  HostPortResult result;
  result.address.host = std::string(host);
  if (port_text) {
    uint16_t port = 0;
    if (const AddressError error = readPort(*port_text, rules, port); error != AddressError::None) {
      return failure(error);
    }
    result.address.port = port;
  } else if (rules.port_required) {
    return failure(AddressError::MissingPort);
  }
  return result;
}

std::string formatHostPort(std::string_view host, uint16_t port) {
  std::string text;
  if (host.find(':') != std::string_view::npos) {
    text.append("[").append(host).append("]");
  } else {
    text.append(host);
  }
  return text.append(":").append(std::to_string(port));
}

std::optional<BrokerScheme> brokerSchemeOf(std::string_view uri) {
  const auto separator = uri.find(kSchemeSeparator);
  if (separator == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view name = uri.substr(0, separator);
  for (const BrokerScheme& scheme : kBrokerSchemes) {
    if (scheme.name == name) {
      return scheme;
    }
  }
  return std::nullopt;
}

BrokerUriResult parseBrokerUri(std::string_view uri) {
  BrokerUriResult result;
  const auto scheme = brokerSchemeOf(uri);
  if (!scheme) {
    result.error = AddressError::UnknownScheme;
    return result;
  }
  std::string_view rest = uri.substr(scheme->name.size() + kSchemeSeparator.size());
  // The path starts at the first '/' after the authority; an IPv6 literal has none inside.
  const auto close = rest.starts_with('[') ? rest.find(']') : std::string_view::npos;
  const auto slash = rest.find('/', close == std::string_view::npos ? 0 : close);
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    result.broker.path = std::string(rest.substr(slash));
  }
  auto parsed = parseHostPort(authority);
  if (!parsed.ok()) {
    result.error = parsed.error == AddressError::Empty ? AddressError::MissingHost : parsed.error;
    return result;
  }
  result.broker.scheme = *scheme;
  result.broker.host = std::move(parsed.address.host);
  result.broker.port = parsed.address.port.value_or(scheme->default_port);
  return result;
}

}  // namespace failover::core
