#include "failover/daemon/health_payload.h"

#include <array>
#include <optional>

#include <nlohmann/json.hpp>

#include "payload_text.h"

namespace failover::daemon {
namespace {

using core::Status;
using engine::Reported;
using Json = nlohmann::json;

// Words other agents use for a status, accepted on input only; what the node publishes is the
// name in engine::kReportedNames.
constexpr std::array kReportedSynonyms = {
    core::EnumName{Reported::Warn, "warning"},
    core::EnumName{Reported::Fail, "critical"},
    core::EnumName{Reported::Fail, "error"},
};
// The agent status topic speaks online / offline.
constexpr std::array kAgentStatusWords = {
    core::EnumName{Reported::Ok, "online"},
    core::EnumName{Reported::Fail, "offline"},
};

// ok / warn / fail and their synonyms.
std::optional<Reported> statusWord(std::string_view word, config::Check check) {
  if (check == config::Check::Status) {
    if (const auto status = core::valueOf(kAgentStatusWords, word)) {
      return status;
    }
  }
  if (const auto status = core::valueOf(engine::kReportedNames, word)) {
    return status;
  }
  return core::valueOf(kReportedSynonyms, word);
}

std::string cut(std::string text) {
  if (text.size() > kMaxDetailLength) {
    text.resize(kMaxDetailLength);
  }
  return text;
}

const Json* findPath(const Json& root, std::string_view path) {
  const Json* node = &root;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!node->is_object()) {
      return nullptr;
    }
    const auto found = node->find(key);
    if (found == node->end()) {
      return nullptr;
    }
    node = &*found;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node;
}

std::string detailOf(const Json& object) {
  for (const char* key : {"detail", "reason", "message"}) {
    const auto found = object.find(key);
    if (found != object.end() && found->is_string()) {
      return cut(found->get<std::string>());
    }
  }
  return {};
}

}  // namespace

core::Result<engine::HealthObserved> parseHealthPayload(
    const HealthTopic& topic, std::string_view payload,
    const std::vector<std::string>& rule_fields) {
  if (payload.size() > kMaxHealthPayloadBytes) {
    return Status::invalidArgument(std::string(kTooLarge));
  }
  engine::HealthObserved observed;
  observed.machine = topic.machine;
  observed.check = topic.check;

  const std::string_view text = trim(payload);
  if (text.empty() || text.front() != '{') {
    // A plain word: "ok", "fail", "online", ...
    const auto status = statusWord(text, topic.check);
    if (!status) {
      // Anything that looks like another JSON value (array, string, number, literal) is the
      // wrong type; other words are statuses we do not know.
      const bool json_value = text.empty() || text.front() == '[' || text.front() == '"' ||
                              text.front() == '-' || (text.front() >= '0' && text.front() <= '9') ||
                              text == "null" || text == "true" || text == "false";
      return Status::invalidArgument(std::string(json_value ? kWrongType : kUnknownStatus));
    }
    observed.status = *status;
    if (topic.check == config::Check::Status && *status == Reported::Fail) {
      observed.detail = "offline";
    }
    return observed;
  }

  const Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    return Status::invalidArgument(std::string(kInvalidJson));
  }
  const auto status_field = object.find("status");
  if (status_field == object.end() || !status_field->is_string()) {
    return Status::invalidArgument(std::string(kWrongType));
  }
  const auto status = statusWord(status_field->get_ref<const std::string&>(), topic.check);
  if (!status) {
    return Status::invalidArgument(std::string(kUnknownStatus));
  }
  observed.status = *status;
  observed.detail = detailOf(object);

  if (topic.check == config::Check::Engine) {
    const auto mode = object.find("mode");
    if (mode != object.end() && mode->is_string()) {
      observed.engine_mode = cut(mode->get<std::string>());
    }
  }
  if (topic.check == config::Check::Diagnostics) {
    const auto parameters = object.find("parameters");
    if (parameters != object.end() && parameters->is_object()) {
      for (const auto& [name, parameter] : parameters->items()) {
        if (!parameter.is_object()) {
          continue;
        }
        const auto level = parameter.find("level");
        if (level != parameter.end() && level->is_string() &&
            level->get_ref<const std::string&>() == "critical") {
          observed.critical_parameters.push_back(cut(name));
        }
      }
    }
  }
  for (const auto& path : rule_fields) {
    const Json* value = findPath(object, path);
    if (value == nullptr) {
      continue;
    }
    if (value->is_boolean()) {
      observed.fields.push_back({path, value->get<bool>()});
    } else if (value->is_number()) {
      observed.fields.push_back({path, value->get<double>()});
    } else if (value->is_string()) {
      observed.fields.push_back({path, cut(value->get<std::string>())});
    }
  }
  return observed;
}

}  // namespace failover::daemon
