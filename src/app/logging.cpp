#include "logging.h"

#include <array>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace failover::app {
namespace {

// Writes the log message as the inside of a JSON string: quotes, backslashes and control
// characters escaped, so every line stays one valid JSON object whatever was logged.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& out) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char c : message.payload) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (byte < 0x20) {
        const std::array<char, 6> escape = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        out.append(escape.data(), escape.data() + escape.size());
      } else {
        out.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

}  // namespace

void setupLogging(const std::string& level, LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::Json) {
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-7l %-8n %v");
  }
  sink->set_formatter(std::move(formatter));
  const auto parsed_level = spdlog::level::from_str(level == "warn" ? "warning" : level);
  for (const char* name : {"app", "config", "node", "engine", "mqtt", "videohub"}) {
    if (spdlog::get(name)) {
      spdlog::drop(name);
    }
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(parsed_level);
    logger->flush_on(spdlog::level::trace);
    spdlog::register_logger(logger);
  }
  auto fallback = std::make_shared<spdlog::logger>("failover-node", sink);
  fallback->set_level(parsed_level);
  fallback->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(fallback);
}

}  // namespace failover::app
