#pragma once

// One name table per enum. The spelling of an enumerator in payloads, files and logs is
// written once, as a constexpr table next to the enum; toString() and every parser of that
// spelling look it up there, so a name can never be printed one way and read another.
//
//   inline constexpr std::array kModeNames = {
//       core::EnumName{Mode::Auto, "auto"},
//       core::EnumName{Mode::Manual, "manual"},
//   };
//   static_assert(core::isNameTable(kModeNames, Mode::Manual));
//
// Tables list every enumerator once, in declaration order (isNameTable checks that against
// the last enumerator, and that no name is used twice).

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

namespace failover::core {

template <typename Enum>
struct EnumName {
  Enum value;
  const char* name;
};
// Spelled out for compilers without deduction for aggregates (Clang before 17, which builds
// the fuzz targets).
template <typename Enum>
EnumName(Enum, const char*) -> EnumName<Enum>;

// The name of `value`, or `fallback` for a value the table does not list.
template <typename Enum, std::size_t N>
constexpr const char* nameOf(const std::array<EnumName<Enum>, N>& table, Enum value,
                             const char* fallback = "?") {
  for (const auto& entry : table) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  return fallback;
}

// The enumerator spelled exactly `name` (case-sensitive), if any.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> valueOf(const std::array<EnumName<Enum>, N>& table,
                                      std::string_view name) {
  for (const auto& entry : table) {
    if (name == entry.name) {
      return entry.value;
    }
  }
  return std::nullopt;
}

// True when `table` lists the enumerators 0..last in order, each with a distinct non-empty
// name. For enums whose enumerators take the default values 0, 1, 2...
template <typename Enum, std::size_t N>
constexpr bool isNameTable(const std::array<EnumName<Enum>, N>& table, Enum last) {
  using Underlying = std::underlying_type_t<Enum>;
  if (N == 0 || static_cast<std::size_t>(static_cast<Underlying>(last)) + 1 != N) {
    return false;
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(static_cast<Underlying>(table[i].value)) != i ||
        std::string_view(table[i].name).empty()) {
      return false;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (std::string_view(table[i].name) == std::string_view(table[j].name)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace failover::core
