#include "transcript.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace failover::videohub::testing {
namespace {

using nlohmann::json;

std::filesystem::path dataDir() {
  return std::filesystem::path(FAILOVER_TEST_DATA_DIR) / "videohub";
}

PortKind portFrom(const std::string& name) {
  if (name == "input") {
    return PortKind::VideoInput;
  }
  if (name == "output") {
    return PortKind::VideoOutput;
  }
  if (name == "monitoring") {
    return PortKind::MonitoringOutput;
  }
  if (name == "serial") {
    return PortKind::SerialPort;
  }
  throw std::runtime_error("unknown port kind " + name);
}

LockState lockFrom(const std::string& code) {
  if (code == "U") {
    return LockState::Unlocked;
  }
  if (code == "O") {
    return LockState::Owned;
  }
  if (code == "L") {
    return LockState::LockedByOther;
  }
  if (code == "F") {
    return LockState::ForceUnlock;
  }
  throw std::runtime_error("unknown lock code " + code);
}

DevicePresence presenceFrom(const std::string& text) {
  if (text == "true") {
    return DevicePresence::Present;
  }
  if (text == "false") {
    return DevicePresence::Absent;
  }
  if (text == "needs_update") {
    return DevicePresence::NeedsUpdate;
  }
  throw std::runtime_error("unknown presence " + text);
}

std::optional<uint32_t> optionalCount(const json& spec, const char* key) {
  if (!spec.contains(key)) {
    return std::nullopt;
  }
  return spec.at(key).get<uint32_t>();
}

// Rejects keys the sidecar does not define, so a typo cannot silently weaken a check.
void checkKeys(const json& spec, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : spec.items()) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      throw std::runtime_error("unexpected key " + key + " in " + spec.dump());
    }
  }
}

Block blockFrom(const json& spec) {
  const auto type = spec.at("type").get<std::string>();
  if (type == "preamble") {
    checkKeys(spec, {"type", "version"});
    return PreambleBlock{spec.at("version").get<std::string>()};
  }
  if (type == "device") {
    checkKeys(spec, {"type", "present", "model_name", "friendly_name", "unique_id", "video_inputs",
                     "video_outputs", "processing_units", "monitoring_outputs", "serial_ports"});
    DeviceBlock device;
    if (spec.contains("present")) {
      device.present = presenceFrom(spec.at("present").get<std::string>());
    }
    device.model_name = spec.value("model_name", "");
    device.friendly_name = spec.value("friendly_name", "");
    device.unique_id = spec.value("unique_id", "");
    device.video_inputs = optionalCount(spec, "video_inputs");
    device.video_outputs = optionalCount(spec, "video_outputs");
    device.processing_units = optionalCount(spec, "processing_units");
    device.monitoring_outputs = optionalCount(spec, "monitoring_outputs");
    device.serial_ports = optionalCount(spec, "serial_ports");
    return device;
  }
  if (type == "labels") {
    checkKeys(spec, {"type", "port", "labels"});
    LabelsBlock block{portFrom(spec.at("port").get<std::string>()), {}};
    for (const auto& pair : spec.at("labels")) {
      block.labels.push_back(Label{pair.at(0).get<uint32_t>(), pair.at(1).get<std::string>()});
    }
    return block;
  }
  if (type == "routing") {
    checkKeys(spec, {"type", "port", "routes"});
    RoutingBlock block{portFrom(spec.at("port").get<std::string>()), {}};
    for (const auto& pair : spec.at("routes")) {
      block.routes.push_back(Route{pair.at(0).get<uint32_t>(), pair.at(1).get<uint32_t>()});
    }
    return block;
  }
  if (type == "locks") {
    checkKeys(spec, {"type", "port", "locks"});
    LocksBlock block{portFrom(spec.at("port").get<std::string>()), {}};
    for (const auto& pair : spec.at("locks")) {
      block.locks.push_back(
          Lock{pair.at(0).get<uint32_t>(), lockFrom(pair.at(1).get<std::string>())});
    }
    return block;
  }
  if (type == "configuration") {
    checkKeys(spec, {"type", "take_mode"});
    ConfigurationBlock block;
    if (spec.contains("take_mode")) {
      block.take_mode = spec.at("take_mode").get<bool>();
    }
    return block;
  }
  if (type == "take_mode") {
    checkKeys(spec, {"type", "outputs"});
    TakeModeBlock block;
    for (const auto& pair : spec.at("outputs")) {
      block.outputs.push_back(TakeModeEntry{pair.at(0).get<uint32_t>(), pair.at(1).get<bool>()});
    }
    return block;
  }
  if (type == "unknown") {
    checkKeys(spec, {"type", "header", "lines", "line_count", "header_has_colon"});
    UnknownBlock block;
    block.header = spec.at("header").get<std::string>();
    block.lines = spec.value("lines", std::vector<std::string>{});
    block.line_count = spec.at("line_count").get<uint32_t>();
    block.header_has_colon = spec.value("header_has_colon", true);
    return block;
  }
  checkKeys(spec, {"type"});
  if (type == "end_prelude") {
    return EndPreludeBlock{};
  }
  if (type == "ping") {
    return PingBlock{};
  }
  if (type == "ack") {
    return AckBlock{};
  }
  if (type == "nak") {
    return NakBlock{};
  }
  throw std::runtime_error("unknown block type " + type);
}

}  // namespace

std::string readDataFile(const std::string& file_name) {
  std::ifstream in(dataDir() / file_name, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + (dataDir() / file_name).string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> transcriptNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dataDir())) {
    const auto& path = entry.path();
    if (path.extension() == ".txt" &&
        std::filesystem::exists(std::filesystem::path(path).replace_extension(".json"))) {
      names.push_back(path.stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Transcript loadTranscript(const std::string& name) {
  Transcript transcript;
  transcript.name = name;
  transcript.bytes = readDataFile(name + ".txt");
  const json sidecar = json::parse(readDataFile(name + ".json"));
  for (const auto& spec : sidecar.at("blocks")) {
    transcript.blocks.push_back(blockFrom(spec));
  }
  const auto& stats = sidecar.at("stats");
  checkKeys(stats, {"blocks", "unknown_blocks", "malformed_lines", "oversized_lines",
                    "dropped_lines", "skipped_blocks"});
  transcript.stats.blocks = stats.at("blocks").get<uint64_t>();
  transcript.stats.unknown_blocks = stats.at("unknown_blocks").get<uint64_t>();
  transcript.stats.malformed_lines = stats.at("malformed_lines").get<uint64_t>();
  transcript.stats.oversized_lines = stats.at("oversized_lines").get<uint64_t>();
  transcript.stats.dropped_lines = stats.at("dropped_lines").get<uint64_t>();
  transcript.stats.skipped_blocks = stats.value("skipped_blocks", uint64_t{0});
  return transcript;
}

}  // namespace failover::videohub::testing
