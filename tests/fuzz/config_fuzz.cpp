// libFuzzer target: any bytes as a configuration file. The loader must never crash, hang or
// throw, and every diagnostic must render as one line.
//
// Every line of the input is also read as an address (HOST:PORT, [IPv6]:PORT, broker URI)
// under each combination of rules: a parsed address formats and parses back to itself.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "failover/config/loader.h"
#include "failover/core/host_port.h"

namespace {

using failover::core::AddressRules;

void check(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

bool hasBlank(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20) {
      return true;
    }
  }
  return false;
}

void fuzzAddress(std::string_view line) {
  for (const bool required : {false, true}) {
    for (const bool zero : {false, true}) {
      for (const bool bare : {false, true}) {
        const AddressRules rules{required, zero, bare};
        const auto parsed = failover::core::parseHostPort(line, rules);
        if (!parsed.ok()) {
          continue;
        }
        const auto& address = parsed.address;
        check(!address.host.empty() && !hasBlank(address.host));
        check(address.port.has_value() || !required);
        check(!address.port || *address.port != 0 || zero);
        if (address.port) {
          const auto again = failover::core::parseHostPort(
              failover::core::formatHostPort(address.host, *address.port), rules);
          check(again.ok() && again.address == address);
        }
      }
    }
  }
  const auto broker = failover::core::parseBrokerUri(line);
  if (broker.ok()) {
    check(!broker.broker.host.empty() && !hasBlank(broker.broker.host));
    check(broker.broker.port != 0);
    check(line.starts_with(broker.broker.scheme.name));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const failover::config::LoadResult result = failover::config::loadConfigString(text, "fuzz.yaml");
  for (const auto* list : {&result.errors, &result.warnings}) {
    for (const auto& diagnostic : *list) {
      check(diagnostic.render().find('\n') == std::string::npos);
    }
  }
  if (result.ok()) {
    (void)failover::config::summarize(result.config);
  }

  std::string_view rest = text;
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    fuzzAddress(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
  }
  return 0;
}
