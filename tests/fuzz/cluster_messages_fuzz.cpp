// libFuzzer target: any bytes as a cluster message payload (heartbeat, role, active, takeover
// event, handover request). Besides "never crash or throw", it checks that whatever decodes
// encodes and decodes back to the same value, so a node never reads its own heartbeat
// differently from what it sent. A broken contract prints the input and traps.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "failover/cluster_bus/cluster_messages.h"

namespace {

namespace bus = failover::cluster_bus;

[[noreturn]] void broken(const char* contract, std::string_view input) {
  std::fprintf(stderr, "cluster message contract broken: %s\n%.*s\n", contract,
               static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const auto heartbeat = bus::decodeHeartbeat(input); heartbeat.isOk()) {
    // Text fields with many escaped characters may encode beyond the size limit.
    const auto encoded = bus::encodeHeartbeat(*heartbeat);
    if (encoded.size() <= bus::kMaxClusterPayloadBytes) {
      const auto again = bus::decodeHeartbeat(encoded);
      if (!again.isOk() || !(*again == *heartbeat)) {
        broken("heartbeat does not round-trip", input);
      }
    }
  }
  if (const auto request = bus::decodeHandoverRequest(input); request.isOk()) {
    const auto encoded = bus::encodeHandoverRequest(*request);
    if (encoded.size() <= bus::kMaxClusterPayloadBytes) {
      const auto again = bus::decodeHandoverRequest(encoded);
      if (!again.isOk() || !(*again == *request)) {
        broken("handover request does not round-trip", input);
      }
    }
  }
  if (const auto event = bus::decodeTakeoverEvent(input); event.isOk()) {
    const auto again = bus::decodeTakeoverEvent(bus::encodeTakeoverEvent(event->event, event->ts));
    if (event->event.to.empty() || (again.isOk() && again->event.to != event->event.to)) {
      broken("takeover event does not round-trip", input);
    }
  }
  if (const auto role = bus::decodeRole(input); role.isOk() && bus::encodeRole(*role) != input) {
    broken("role does not round-trip", input);
  }
  (void)bus::decodeActive(input);
  return 0;
}
