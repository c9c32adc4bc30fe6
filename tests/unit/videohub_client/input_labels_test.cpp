#include "failover/videohub_client/input_labels.h"

#include <gtest/gtest.h>

#include "failover/videohub/block_encoder.h"
#include "failover/videohub/block_parser.h"
#include "wire.h"

namespace failover::videohub_client {
namespace {

using testing::kPrelude2x3;
using testing::parseWire;

RouterState stateFrom(std::string_view text) {
  RouterState state;
  for (const auto& block : parseWire(text)) {
    (void)state.apply(block);
  }
  return state;
}

TEST(SanitizeLabelTest, KeepsAPlainLabel) {
  EXPECT_EQ(sanitizeLabel("Green Main"), "Green Main");
  EXPECT_EQ(sanitizeLabel("Grün  Haupt"), "Grün  Haupt");  // inner blanks and UTF-8 kept
}

TEST(SanitizeLabelTest, NewlinesAndControlCharactersBecomeSpaces) {
  EXPECT_EQ(sanitizeLabel("Green\nMain"), "Green Main");
  EXPECT_EQ(sanitizeLabel("Green\r\nMain"), "Green  Main");
  EXPECT_EQ(sanitizeLabel("A\tB\x7f"
                          "C"),
            "A B C");
  EXPECT_EQ(sanitizeLabel("\n\nGreen Main\n"), "Green Main");
}

TEST(SanitizeLabelTest, TrimsSurroundingBlanks) {
  EXPECT_EQ(sanitizeLabel("  Green Main \t"), "Green Main");
  EXPECT_EQ(sanitizeLabel(" \n "), "");
}

TEST(SanitizeLabelTest, CapsTheLengthWithoutSplittingACharacter) {
  EXPECT_EQ(sanitizeLabel(std::string(100, 'x')), std::string(kMaxLabelBytes, 'x'));
  // 63 ASCII bytes, then a two-byte "ü" that would straddle the cap: it goes entirely.
  const std::string label = std::string(63, 'a') + "\xc3\xbc" + "tail";
  EXPECT_EQ(sanitizeLabel(label), std::string(63, 'a'));
  // A cut that lands on a blank leaves no trailing blank.
  EXPECT_EQ(sanitizeLabel(std::string(63, 'a') + " bcd"), std::string(63, 'a'));
}

TEST(SanitizeLabelTest, ASanitisedLabelSurvivesTheWireUnchanged) {
  const std::string label = sanitizeLabel(" Render\nA  Main \r");
  const std::string bytes =
      videohub::encodeBlock(videohub::LabelsBlock{videohub::PortKind::VideoInput, {{4, label}}});
  const auto blocks = parseWire(bytes);
  ASSERT_EQ(blocks.size(), 1u);
  const auto& back = std::get<videohub::LabelsBlock>(blocks[0]);
  ASSERT_EQ(back.labels.size(), 1u);
  EXPECT_EQ(back.labels[0].text, label);
}

TEST(PlanInputLabelsTest, OnlyDifferingLabelsAreWrittenInOneBlock) {
  const RouterState state = stateFrom(kPrelude2x3);
  const LabelPlan plan =
      planInputLabels({{1, "Render A Main"}, {2, "Green Backup"}, {3, "Green\nCam"}}, state);
  ASSERT_TRUE(plan.block.has_value());
  EXPECT_EQ(plan.inputs, (std::vector<uint32_t>{2, 3}));
  EXPECT_TRUE(plan.out_of_range.empty());
  EXPECT_EQ(videohub::encodeBlock(*plan.block), "INPUT LABELS:\n1 Green Backup\n2 Green Cam\n\n");
}

TEST(PlanInputLabelsTest, NothingWhenEveryLabelMatches) {
  const RouterState state = stateFrom(kPrelude2x3);
  const LabelPlan plan = planInputLabels({{1, "Render A Main"}, {3, "Camera  3"}}, state);
  EXPECT_FALSE(plan.block.has_value());
  EXPECT_TRUE(plan.inputs.empty());
}

TEST(PlanInputLabelsTest, InputsTheRouterDoesNotHaveAndEmptyLabelsAreLeftOut) {
  const RouterState state = stateFrom(kPrelude2x3);
  const LabelPlan plan = planInputLabels({{0, "Zero"}, {2, " \n"}, {4, "Four"}}, state);
  EXPECT_FALSE(plan.block.has_value());
  EXPECT_EQ(plan.out_of_range, (std::vector<uint32_t>{0, 4}));
}

}  // namespace
}  // namespace failover::videohub_client
