// libFuzzer target: any bytes as a configuration file. The loader must never crash, hang or
// throw, and every diagnostic must render as one line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "failover/config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const failover::config::LoadResult result = failover::config::loadConfigString(text, "fuzz.yaml");
  for (const auto* list : {&result.errors, &result.warnings}) {
    for (const auto& diagnostic : *list) {
      if (diagnostic.render().find('\n') != std::string::npos) {
        __builtin_trap();
      }
    }
  }
  if (result.ok()) {
    (void)failover::config::summarize(result.config);
  }
  return 0;
}
