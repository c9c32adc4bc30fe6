#include "failover/core/host_port.h"

#include <ostream>

#include <gtest/gtest.h>

namespace failover::core {
namespace {

using E = AddressError;

struct Case {
  std::string_view text;
  E error = E::None;
  std::string_view host = {};
  std::optional<uint16_t> port = std::nullopt;
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
  return out << "'" << c.text << "'";
}

void expectParses(const Case& c, const AddressRules& rules) {
  const auto result = parseHostPort(c.text, rules);
  EXPECT_EQ(result.error, c.error) << c << ": " << describe(result.error);
  if (c.error == E::None && result.ok()) {
    EXPECT_EQ(result.address.host, c.host) << c;
    EXPECT_EQ(result.address.port, c.port) << c;
  }
}

class DefaultRules : public ::testing::TestWithParam<Case> {};

TEST_P(DefaultRules, ParsesOrNamesTheProblem) {
  expectParses(GetParam(), AddressRules{});
}

INSTANTIATE_TEST_SUITE_P(
    HostPort, DefaultRules,
    ::testing::Values(
        // The accepted forms.
        Case{"router.lan", E::None, "router.lan"}, Case{"10.0.0.5", E::None, "10.0.0.5"},
        Case{"10.0.0.5:9990", E::None, "10.0.0.5", 9990},
        Case{"localhost:1", E::None, "localhost", 1}, Case{"h:65535", E::None, "h", 65535},
        Case{"h:00080", E::None, "h", 80}, Case{"[::1]", E::None, "::1"},
        Case{"[::1]:9990", E::None, "::1", 9990},
        Case{"[fe80::1%eth0]:1", E::None, "fe80::1%eth0", 1},
        Case{"[localhost]:7", E::None, "localhost", 7},
        // Nothing, or no host.
        Case{"", E::Empty}, Case{":", E::MissingHost}, Case{":9990", E::MissingHost},
        Case{"[]", E::MissingHost}, Case{"[]:9990", E::MissingHost},
        // Brackets.
        Case{"[::1", E::UnclosedBracket}, Case{"[::1:9990", E::UnclosedBracket},
        Case{"[", E::UnclosedBracket}, Case{"[::1]x", E::TextAfterBracket},
        Case{"[::1]9990", E::TextAfterBracket}, Case{"[::1] :1", E::TextAfterBracket},
        Case{"[::1]]", E::TextAfterBracket}, Case{"[[::1]]:1", E::TextAfterBracket},
        Case{"h]:1", E::BadHost}, Case{"a[b", E::BadHost},
        // A bare IPv6 literal is not a host here.
        Case{"::1", E::UnbracketedIpv6}, Case{"::1:9990", E::UnbracketedIpv6},
        Case{"fe80::1", E::UnbracketedIpv6}, Case{"::", E::UnbracketedIpv6},
        // Blanks, control characters and slashes.
        Case{" host", E::BadHost}, Case{"host ", E::BadHost}, Case{"ho st:1", E::BadHost},
        Case{"host\t:1", E::BadHost}, Case{"host\n", E::BadHost}, Case{"[ ::1]:1", E::BadHost},
        Case{"10.0.0.0/8", E::BadHost}, Case{"tcp://h:1", E::UnbracketedIpv6},
        Case{"h/x:1", E::BadHost}, Case{std::string_view("h\0:1", 4), E::BadHost},
        // Ports.
        Case{"host:", E::MissingPort}, Case{"[::1]:", E::MissingPort}, Case{"host:12a", E::BadPort},
        Case{"host:a", E::BadPort}, Case{"host: 80", E::BadPort}, Case{"host:80 ", E::BadPort},
        Case{"host:+80", E::BadPort}, Case{"host:-1", E::BadPort}, Case{"host:0x50", E::BadPort},
        Case{"host:8.0", E::BadPort}, Case{"host:0", E::PortOutOfRange},
        Case{"host:000", E::PortOutOfRange}, Case{"host:65536", E::PortOutOfRange},
        Case{"[::1]:70000", E::PortOutOfRange},
        Case{"host:99999999999999999999999", E::PortOutOfRange}));

class BareIpv6Allowed : public ::testing::TestWithParam<Case> {};

TEST_P(BareIpv6Allowed, TakesTheWholeTextAsTheHost) {
  AddressRules rules;
  rules.allow_bare_ipv6 = true;
  expectParses(GetParam(), rules);
}

INSTANTIATE_TEST_SUITE_P(HostPort, BareIpv6Allowed,
                         ::testing::Values(Case{"::1", E::None, "::1"},
                                           Case{"fe80::1%eth0", E::None, "fe80::1%eth0"},
                                           // Ambiguous, so never split: the whole is the host.
                                           Case{"::1:9990", E::None, "::1:9990"},
                                           Case{"h:1", E::None, "h", 1},
                                           Case{"[::1]:2", E::None, "::1", 2},
                                           Case{":: 1", E::BadHost}, Case{"", E::Empty}));

class PortRequiredZeroAllowed : public ::testing::TestWithParam<Case> {};

TEST_P(PortRequiredZeroAllowed, AsForAListeningAddress) {
  AddressRules rules;
  rules.port_required = true;
  rules.allow_port_zero = true;
  expectParses(GetParam(), rules);
}

INSTANTIATE_TEST_SUITE_P(HostPort, PortRequiredZeroAllowed,
                         ::testing::Values(Case{"127.0.0.1:0", E::None, "127.0.0.1", 0},
                                           Case{"[::1]:0", E::None, "::1", 0},
                                           Case{"127.0.0.1:9990", E::None, "127.0.0.1", 9990},
                                           Case{"127.0.0.1", E::MissingPort},
                                           Case{"[::1]", E::MissingPort},
                                           Case{"127.0.0.1:", E::MissingPort},
                                           Case{"127.0.0.1:65536", E::PortOutOfRange},
                                           Case{"::1:0", E::UnbracketedIpv6}));

TEST(HostPort, EveryErrorHasItsOwnReason) {
  EXPECT_STREQ(describe(E::None), "ok");
  EXPECT_STREQ(describe(E::UnclosedBracket), "missing ']'");
  EXPECT_STREQ(describe(E::UnbracketedIpv6), "write an IPv6 address as [ADDR]:PORT");
  const E all[] = {E::Empty,           E::MissingHost,  E::UnclosedBracket, E::TextAfterBracket,
                   E::UnbracketedIpv6, E::BadHost,      E::MissingPort,     E::BadPort,
                   E::PortOutOfRange,  E::UnknownScheme};
  for (const E a : all) {
    for (const E b : all) {
      if (a != b) {
        EXPECT_STRNE(describe(a), describe(b));
      }
    }
  }
}

TEST(HostPort, FormatBracketsIpv6AndParsesBack) {
  EXPECT_EQ(formatHostPort("10.0.0.5", 9990), "10.0.0.5:9990");
  EXPECT_EQ(formatHostPort("router.lan", 1), "router.lan:1");
  EXPECT_EQ(formatHostPort("::1", 9990), "[::1]:9990");
  for (const std::string_view host : {"10.0.0.5", "::1", "fe80::1%eth0", "router.lan"}) {
    const auto parsed = parseHostPort(formatHostPort(host, 1883));
    ASSERT_TRUE(parsed.ok()) << host;
    EXPECT_EQ(parsed.address, (HostPort{std::string(host), 1883}));
  }
}

// ---- broker URIs ----------------------------------------------------------------------------

struct UriCase {
  std::string_view uri;
  E error = E::None;
  std::string_view scheme = {};
  std::string_view host = {};
  uint16_t port = 0;
  std::string_view path = {};
};

std::ostream& operator<<(std::ostream& out, const UriCase& c) {
  return out << "'" << c.uri << "'";
}

class BrokerUris : public ::testing::TestWithParam<UriCase> {};

TEST_P(BrokerUris, GiveHostAndPortWithTheSchemesDefault) {
  const UriCase& c = GetParam();
  const auto result = parseBrokerUri(c.uri);
  EXPECT_EQ(result.error, c.error) << c << ": " << describe(result.error);
  if (c.error == E::None && result.ok()) {
    EXPECT_EQ(result.broker.scheme.name, c.scheme) << c;
    EXPECT_EQ(result.broker.host, c.host) << c;
    EXPECT_EQ(result.broker.port, c.port) << c;
    EXPECT_EQ(result.broker.path, c.path) << c;
  }
}

INSTANTIATE_TEST_SUITE_P(
    HostPort, BrokerUris,
    ::testing::Values(
        UriCase{"tcp://127.0.0.1:1883", E::None, "tcp", "127.0.0.1", 1883},
        UriCase{"tcp://broker.lan", E::None, "tcp", "broker.lan", 1883},
        UriCase{"mqtt://broker.lan", E::None, "mqtt", "broker.lan", 1883},
        UriCase{"ssl://broker.lan", E::None, "ssl", "broker.lan", 8883},
        UriCase{"mqtts://broker.lan:18883", E::None, "mqtts", "broker.lan", 18883},
        UriCase{"ws://broker.lan", E::None, "ws", "broker.lan", 80},
        UriCase{"ws://broker.lan:9001/mqtt", E::None, "ws", "broker.lan", 9001, "/mqtt"},
        UriCase{"wss://broker.lan/mqtt", E::None, "wss", "broker.lan", 443, "/mqtt"},
        UriCase{"tcp://[::1]:1999", E::None, "tcp", "::1", 1999},
        UriCase{"wss://[::1]/a/b", E::None, "wss", "::1", 443, "/a/b"},
        UriCase{"tcp://h:1883/", E::None, "tcp", "h", 1883, "/"}, UriCase{"", E::UnknownScheme},
        UriCase{"broker.lan:1883", E::UnknownScheme}, UriCase{"http://h", E::UnknownScheme},
        UriCase{"TCP://h", E::UnknownScheme}, UriCase{"tcp:/h", E::UnknownScheme},
        UriCase{"tcp://", E::MissingHost}, UriCase{"tcp://:1883", E::MissingHost},
        UriCase{"ws:///mqtt", E::MissingHost}, UriCase{"tcp://h:", E::MissingPort},
        UriCase{"tcp://h:0", E::PortOutOfRange}, UriCase{"tcp://h:70000", E::PortOutOfRange},
        UriCase{"tcp://h:1x", E::BadPort}, UriCase{"tcp://[::1", E::UnclosedBracket},
        UriCase{"tcp://[::1]x", E::TextAfterBracket}, UriCase{"tcp://::1:1883", E::UnbracketedIpv6},
        UriCase{"tcp://h st", E::BadHost}));

TEST(HostPort, BrokerSchemesKnowTlsAndWebsockets) {
  ASSERT_TRUE(brokerSchemeOf("ssl://x"));
  EXPECT_TRUE(brokerSchemeOf("ssl://x")->tls);
  EXPECT_TRUE(brokerSchemeOf("mqtts://x")->tls);
  EXPECT_TRUE(brokerSchemeOf("wss://")->tls);
  EXPECT_TRUE(brokerSchemeOf("wss://")->websocket);
  EXPECT_FALSE(brokerSchemeOf("tcp://x")->tls);
  EXPECT_FALSE(brokerSchemeOf("mqtt://x")->websocket);
  EXPECT_TRUE(brokerSchemeOf("ws://x")->websocket);
  EXPECT_FALSE(brokerSchemeOf("tcp:x"));
  EXPECT_FALSE(brokerSchemeOf("udp://x"));
}

}  // namespace
}  // namespace failover::core
