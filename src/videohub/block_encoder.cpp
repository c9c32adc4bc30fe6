#include "failover/videohub/block_encoder.h"

#include <type_traits>

#include "header_names.h"

namespace failover::videohub {
namespace {

void appendHeader(std::string_view header, std::string& out) {
  out.append(header);
  out.append(":\n");
}

void appendNumber(uint32_t value, std::string& out) {
  out.append(std::to_string(value));
}

// A value must stay on its line: CR and LF would end it and break the framing.
void appendText(std::string_view text, std::string& out) {
  for (const char c : text) {
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
}

void appendField(std::string_view key, std::string_view value, std::string& out) {
  out.append(key);
  out.append(": ");
  appendText(value, out);
  out.push_back('\n');
}

// True when the parser would read `text` as a blank line, i.e. the end of the block.
bool looksBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void appendCount(std::string_view key, const std::optional<uint32_t>& value, std::string& out) {
  if (value) {
    appendField(key, std::to_string(*value), out);
  }
}

const char* boolText(bool value) {
  return value ? "true" : "false";
}

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  void operator()(const PreambleBlock& block) {
    appendHeader(detail::kPreamble, out_);
    appendField("Version", block.version, out_);
  }

  void operator()(const DeviceBlock& block) {
    appendHeader(detail::kDevice, out_);
    if (block.present) {
      appendField("Device present", toString(*block.present), out_);
    }
    if (!block.model_name.empty()) {
      appendField("Model name", block.model_name, out_);
    }
    if (!block.friendly_name.empty()) {
      appendField("Friendly name", block.friendly_name, out_);
    }
    if (!block.unique_id.empty()) {
      appendField("Unique ID", block.unique_id, out_);
    }
    appendCount("Video inputs", block.video_inputs, out_);
    appendCount("Video processing units", block.processing_units, out_);
    appendCount("Video outputs", block.video_outputs, out_);
    appendCount("Video monitoring outputs", block.monitoring_outputs, out_);
    appendCount("Serial ports", block.serial_ports, out_);
  }

  void operator()(const LabelsBlock& block) {
    appendHeader(detail::labelsHeader(block.port), out_);
    for (const auto& label : block.labels) {
      appendNumber(label.index, out_);
      out_.push_back(' ');
      appendText(label.text, out_);
      out_.push_back('\n');
    }
  }

  void operator()(const RoutingBlock& block) {
    appendHeader(detail::routingHeader(block.destination).value_or("VIDEO OUTPUT ROUTING"), out_);
    for (const auto& route : block.routes) {
      appendNumber(route.destination, out_);
      out_.push_back(' ');
      appendNumber(route.source, out_);
      out_.push_back('\n');
    }
  }

  void operator()(const LocksBlock& block) {
    appendHeader(detail::locksHeader(block.port).value_or("VIDEO OUTPUT LOCKS"), out_);
    for (const auto& lock : block.locks) {
      appendNumber(lock.index, out_);
      out_.push_back(' ');
      out_.push_back(lockCode(lock.state));
      out_.push_back('\n');
    }
  }

  void operator()(const ConfigurationBlock& block) {
    appendHeader(detail::kConfiguration, out_);
    if (block.take_mode) {
      appendField("Take Mode", boolText(*block.take_mode), out_);
    }
  }

  void operator()(const TakeModeBlock& block) {
    appendHeader(detail::kTakeMode, out_);
    for (const auto& entry : block.outputs) {
      appendNumber(entry.index, out_);
      out_.push_back(' ');
      out_.append(boolText(entry.enabled));
      out_.push_back('\n');
    }
  }

  void operator()(const EndPreludeBlock&) { appendHeader(detail::kEndPrelude, out_); }
  void operator()(const PingBlock&) { appendHeader(detail::kPing, out_); }
  void operator()(const AckBlock&) { out_.append("ACK\n"); }
  void operator()(const NakBlock&) { out_.append("NAK\n"); }

  void operator()(const UnknownBlock& block) {
    appendText(block.header, out_);
    // Without a colon, a blank header would itself be the block's terminator.
    out_.append(block.header_has_colon || looksBlank(block.header) ? ":\n" : "\n");
    for (const auto& line : block.lines) {
      // A blank line would end the block early and turn the rest into a new block.
      if (!looksBlank(line)) {
        appendText(line, out_);
        out_.push_back('\n');
      }
    }
  }

 private:
  std::string& out_;
};

}  // namespace

void encodeBlock(const Block& block, std::string& out) {
  std::visit(Encoder(out), block);
  out.push_back('\n');
}

std::string encodeBlock(const Block& block) {
  std::string out;
  encodeBlock(block, out);
  return out;
}

std::string encodeDumpRequest(const Block& block) {
  std::string out = headerOf(block);
  out.append(":\n\n");
  return out;
}

std::string encodePing() {
  return encodeBlock(PingBlock{});
}

}  // namespace failover::videohub
