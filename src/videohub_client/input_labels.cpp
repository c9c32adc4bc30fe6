#include "failover/videohub_client/input_labels.h"

namespace failover::videohub_client {

namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}

// A UTF-8 continuation byte (10xxxxxx): never the first byte of a character.
bool isContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

}  // namespace

std::string sanitizeLabel(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxLabelBytes + 4));
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    // CR and LF would end the line (and the block); other control characters have no
    // business on a front panel.
    out.push_back(byte < 0x20U || byte == 0x7FU ? ' ' : c);
  }
  size_t begin = 0;
  while (begin < out.size() && isBlank(out[begin])) {
    ++begin;
  }
  out.erase(0, begin);
  if (out.size() > kMaxLabelBytes) {
    size_t cut = kMaxLabelBytes;
    while (cut > 0 && isContinuation(out[cut])) {
      --cut;  // back to the first byte of the character that would be split
    }
    out.resize(cut);
  }
  while (!out.empty() && isBlank(out.back())) {
    out.pop_back();
  }
  return out;
}

LabelPlan planInputLabels(const InputLabels& desired, const RouterState& state) {
  LabelPlan plan;
  videohub::LabelsBlock block{videohub::PortKind::VideoInput, {}};
  for (const auto& [input, label] : desired) {
    const std::string text = sanitizeLabel(label);
    if (text.empty()) {
      continue;
    }
    if (input == 0 || input > state.inputCount()) {
      plan.out_of_range.push_back(input);
      continue;
    }
    if (state.inputLabel(input) == text) {
      continue;
    }
    block.labels.push_back(videohub::Label{input - 1, text});
    plan.inputs.push_back(input);
  }
  if (!block.labels.empty()) {
    plan.block = std::move(block);
  }
  return plan;
}

}  // namespace failover::videohub_client
