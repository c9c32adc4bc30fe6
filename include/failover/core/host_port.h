#pragma once

// Network addresses as people write them: HOST, HOST:PORT, [IPv6], [IPv6]:PORT, and broker
// URIs (SCHEME://HOST[:PORT][/path]). The one parser of the project: every command-line flag,
// configuration key and test helper that reads an address goes through it, and keeps only its
// own policy (its default port, whether a bare IPv6 literal is a host, whether port 0 is
// allowed, whether the host must be an IP literal or a loopback address).
//
// Pure: no name lookup, no sockets. The host comes back as written (without brackets); it is
// checked only for what can never be part of a host name or an address literal.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace failover::core {

// What can be wrong with an address, from the outside in.
enum class AddressError {
  None,
  Empty,             // "" (nothing at all)
  MissingHost,       // ":9990", "[]", "[]:9990"
  UnclosedBracket,   // "[::1", "[::1:9990"
  TextAfterBracket,  // "[::1]x", "[::1]9990": only ":PORT" may follow ']'
  UnbracketedIpv6,   // "::1" or "::1:9990" where a bare IPv6 literal is not allowed
  BadHost,           // a blank or control character, '/', '[' or ']' in the host
  MissingPort,       // "host:", "[::1]:", or no port where one is required
  BadPort,           // not only decimal digits: "host:12a", "host: 80", "host:+80"
  PortOutOfRange,    // "host:65536", "host:0" (unless port 0 is allowed)
  UnknownScheme,     // a broker URI without "://" or with a scheme that is not known
};

// A precise, lower-case reason for people ("missing ']'", "port is not a number", ...); "ok"
// for None.
const char* describe(AddressError error);

// What a site accepts beyond HOST, HOST:PORT, [V6] and [V6]:PORT with a port of 1..65535.
struct AddressRules {
  bool port_required = false;    // HOST and [V6] alone are MissingPort
  bool allow_port_zero = false;  // port 0, e.g. "pick a free port" for a listening address
  bool allow_bare_ipv6 = false;  // "fe80::1" (two colons or more, no brackets, no port)
};

struct HostPort {
  std::string host;              // without brackets; never empty
  std::optional<uint16_t> port;  // none when the text gave none
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// `address` is meaningful only when ok().
struct [[nodiscard]] HostPortResult {
  HostPort address;
  AddressError error = AddressError::None;
  bool ok() const { return error == AddressError::None; }
};

// Parses `text` exactly as given: blanks around it are errors, not trimmed.
HostPortResult parseHostPort(std::string_view text, const AddressRules& rules = {});

// "host:port", or "[host]:port" when the host contains ':' (an IPv6 literal).
std::string formatHostPort(std::string_view host, uint16_t port);

// The URI schemes of MQTT brokers, with the port each implies (Paho C's defaults).
struct BrokerScheme {
  std::string_view name;  // "tcp", "mqtt", "ssl", "mqtts", "ws", "wss"
  uint16_t default_port = 0;
  bool tls = false;
  bool websocket = false;
};

// The scheme of `uri` (the text before "://"), when it is one of the above.
std::optional<BrokerScheme> brokerSchemeOf(std::string_view uri);

struct BrokerAddress {
  BrokerScheme scheme;
  std::string host;   // without brackets
  uint16_t port = 0;  // the scheme's default when the URI gives none
  std::string path;   // from the first '/' after the authority ("/mqtt"), or empty
};

struct [[nodiscard]] BrokerUriResult {
  BrokerAddress broker;
  AddressError error = AddressError::None;
  bool ok() const { return error == AddressError::None; }
};

// SCHEME://HOST[:PORT][/path], SCHEME://[V6][:PORT][/path]; port 1..65535. A bare IPv6 literal
// is refused (UnbracketedIpv6): "tcp://::1:1883" is ambiguous.
BrokerUriResult parseBrokerUri(std::string_view uri);

}  // namespace failover::core
