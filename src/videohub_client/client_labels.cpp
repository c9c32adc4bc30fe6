// Input labels the node keeps on the router (ClientOptions::input_labels): written once per
// Ready, only where they differ, never fought over while connected.

#include <string>

#include "client_impl.h"
#include "failover/videohub/block_encoder.h"

namespace failover::videohub_client {

namespace vh = videohub;

namespace {

std::string listInputs(const std::vector<uint32_t>& inputs) {
  std::string text;
  for (const uint32_t input : inputs) {
    text += (text.empty() ? "" : ",") + std::to_string(input);
  }
  return text;
}

}  // namespace

void VideohubClient::Impl::allowLabelWriting(bool allowed) {
  if (allowed == label_writing_allowed_) {
    return;
  }
  label_writing_allowed_ = allowed;
  writeInputLabels();
}

void VideohubClient::Impl::writeInputLabels() {
  if (options_.input_labels.empty() || !label_writing_allowed_ || stopped_ ||
      connection_state_ != ConnectionState::Ready) {
    return;
  }
  label_drift_reported_.clear();
  const LabelPlan plan = planInputLabels(options_.input_labels, state_);
  if (!plan.out_of_range.empty()) {
    log_->warn("router {} has {} inputs: not labelling input(s) {}", endpointText(),
               state_.inputCount(), listInputs(plan.out_of_range));
  }
  if (!plan.block) {
    skip_labels_once_ = false;
    log_->debug("router {} input labels already match", endpointText());
    return;
  }
  if (skip_labels_once_) {
    skip_labels_once_ = false;
    log_->warn(
        "router {}: not writing input labels {} on this connection, the last label block got "
        "no ACK",
        endpointText(), listInputs(plan.inputs));
    return;
  }
  vh::Block block(*plan.block);
  const std::string bytes = vh::encodeBlock(block);
  if (!refused_label_bytes_.empty() && bytes == refused_label_bytes_) {
    log_->info("router {}: not writing input labels {} again, the router refused them",
               endpointText(), listInputs(plan.inputs));
    return;
  }
  std::string labels;
  for (const auto& label : plan.block->labels) {
    labels +=
        (labels.empty() ? "" : ", ") + std::to_string(label.index + 1) + "=\"" + label.text + "\"";
  }
  log_->info("router {}: writing input labels {}", endpointText(), labels);
  ++stats_.label_blocks_sent;
  stats_.labels_sent += plan.block->labels.size();
  push(RequestKind::Labels, std::move(block));
}

void VideohubClient::Impl::onInputLabelsChanged(const std::vector<uint32_t>& inputs) {
  if (options_.input_labels.empty() || connection_state_ != ConnectionState::Ready) {
    return;  // during a (re-)dump: Ready compares everything at once
  }
  for (const uint32_t input : inputs) {
    const auto wanted = options_.input_labels.find(input);
    if (wanted == options_.input_labels.end()) {
      continue;  // not ours to keep
    }
    const std::string desired = sanitizeLabel(wanted->second);
    const std::string shown = state_.inputLabel(input);
    if (desired.empty() || shown == desired) {
      label_drift_reported_.erase(input);
      continue;
    }
    // Someone else relabelled it. Writing it back now could start a fight with another
    // client that keeps its own label; the next (re)connect writes it again.
    if (label_drift_reported_.insert(input).second) {
      ++stats_.labels_changed_elsewhere;
      log_->info(
          "router {} input {} is labelled \"{}\" now, not \"{}\": changed elsewhere, written "
          "again on the next connection",
          endpointText(), input, shown, desired);
    }
  }
}

void VideohubClient::Impl::onLabelsReply(const Request& done, Reply reply) {
  if (reply == Reply::Ack) {
    refused_label_bytes_.clear();
    return;
  }
  ++stats_.label_blocks_refused;
  refused_label_bytes_ = done.bytes;
  log_->warn("router {} refused the input labels (NAK); not sent again unchanged", endpointText());
}

void VideohubClient::Impl::onLabelsUnanswered() {
  ++stats_.label_blocks_refused;
  skip_labels_once_ = true;
  log_->warn("router {} did not acknowledge the input labels; the next connection skips them",
             endpointText());
}

}  // namespace failover::videohub_client
