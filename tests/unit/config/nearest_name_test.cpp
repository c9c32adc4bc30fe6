#include "nearest_name.h"

#include <gtest/gtest.h>

namespace failover::config {
namespace {

TEST(NearestNameTest, EditDistance) {
  EXPECT_EQ(editDistance("", ""), 0U);
  EXPECT_EQ(editDistance("abc", ""), 3U);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3U);
  EXPECT_EQ(editDistance("Green", "green"), 0U);  // case does not count
}

TEST(NearestNameTest, SuggestsCloseTypos) {
  const std::vector<std::string> machines = {"green-main", "green-backup", "blue-main"};
  EXPECT_EQ(nearestName("green-bakup", machines), "green-backup");
  EXPECT_EQ(nearestName("blue-mian", machines), "blue-main");
  EXPECT_EQ(nearestName("red-main", machines), std::nullopt);
}

TEST(NearestNameTest, ShortNamesAllowOneEdit) {
  EXPECT_EQ(nearestName("vh2", {"vh1"}), "vh1");
  EXPECT_EQ(nearestName("xy9", {"vh1"}), std::nullopt);
}

TEST(NearestNameTest, SuggestsTheNameAnAbbreviationStandsFor) {
  EXPECT_EQ(nearestName("diag", {"engine", "diagnostics"}), "diagnostics");
  EXPECT_EQ(nearestName("di", {"diagnostics"}), std::nullopt);
}

TEST(NearestNameTest, SuggestionText) {
  EXPECT_EQ(suggestion("adress", {"address", "enabled"}), " (did you mean 'address'?)");
  EXPECT_EQ(suggestion("zzz", {"a", "b"}), " (expected one of: a, b)");
  EXPECT_EQ(suggestion("zzz", {"vh1"}, "routers"), " (routers: vh1)");
  EXPECT_EQ(suggestion("zzz", {}), " (none are defined)");
}

TEST(NearestNameTest, VeryLongNamesAreNotCompared) {
  EXPECT_EQ(nearestName(std::string(10000, 'a'), {"a"}), std::nullopt);
}

}  // namespace
}  // namespace failover::config
