#include "failover/core/enum_names.h"

#include <gtest/gtest.h>

namespace failover::core {
namespace {

enum class Colour { Red, Green, Blue };

constexpr std::array kColourNames = {
    EnumName{Colour::Red, "red"},
    EnumName{Colour::Green, "green"},
    EnumName{Colour::Blue, "blue"},
};
static_assert(isNameTable(kColourNames, Colour::Blue));
static_assert(valueOf(kColourNames, "green") == Colour::Green);
static_assert(std::string_view(nameOf(kColourNames, Colour::Blue)) == "blue");

TEST(EnumNames, NamesAndValuesRoundTrip) {
  for (const auto& [value, name] : kColourNames) {
    EXPECT_EQ(valueOf(kColourNames, nameOf(kColourNames, value)), value);
  }
}

TEST(EnumNames, ParsingIsExact) {
  EXPECT_EQ(valueOf(kColourNames, "red"), Colour::Red);
  EXPECT_FALSE(valueOf(kColourNames, "Red"));
  EXPECT_FALSE(valueOf(kColourNames, "red "));
  EXPECT_FALSE(valueOf(kColourNames, ""));
  EXPECT_FALSE(valueOf(kColourNames, std::string_view("red\0", 4)));
}

TEST(EnumNames, AValueMissingFromTheTableGetsTheFallback) {
  EXPECT_STREQ(nameOf(kColourNames, static_cast<Colour>(9)), "?");
  EXPECT_STREQ(nameOf(kColourNames, static_cast<Colour>(9), "unknown"), "unknown");
}

TEST(EnumNames, IsNameTableRefusesGapsDuplicatesAndDisorder) {
  constexpr std::array missing = {EnumName{Colour::Red, "red"}, EnumName{Colour::Green, "green"}};
  static_assert(!isNameTable(missing, Colour::Blue));
  constexpr std::array swapped = {EnumName{Colour::Green, "green"}, EnumName{Colour::Red, "red"},
                                  EnumName{Colour::Blue, "blue"}};
  static_assert(!isNameTable(swapped, Colour::Blue));
  constexpr std::array twice = {EnumName{Colour::Red, "red"}, EnumName{Colour::Green, "red"},
                                EnumName{Colour::Blue, "blue"}};
  static_assert(!isNameTable(twice, Colour::Blue));
  constexpr std::array blank = {EnumName{Colour::Red, ""}, EnumName{Colour::Green, "green"},
                                EnumName{Colour::Blue, "blue"}};
  static_assert(!isNameTable(blank, Colour::Blue));
  SUCCEED();
}

}  // namespace
}  // namespace failover::core
