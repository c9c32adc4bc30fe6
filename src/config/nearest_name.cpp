#include "nearest_name.h"

#include <algorithm>
#include <cctype>

namespace failover::config {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

}  // namespace

std::size_t editDistance(const std::string& a, const std::string& b) {
  // One row of the dynamic-programming table is enough.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> nearestName(const std::string& name,
                                       const std::vector<std::string>& candidates) {
  // Names longer than any key or id we have are not typos worth the quadratic cost.
  constexpr std::size_t kMaxComparedLength = 256;
  if (name.size() > kMaxComparedLength) {
    return std::nullopt;
  }
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    if (candidate.size() > kMaxComparedLength) {
      continue;
    }
    const std::size_t limit = std::clamp<std::size_t>(candidate.size() / 4, 1, 3);
    const std::size_t length_gap = candidate.size() > name.size() ? candidate.size() - name.size()
                                                                  : name.size() - candidate.size();
    if (length_gap > limit) {
      continue;  // cannot be within reach; skip the quadratic distance
    }
    const std::size_t distance = editDistance(name, candidate);
    if (distance <= limit && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best) {
    return best;
  }
  // An abbreviation ("diag" for "diagnostics") is as likely as a typo.
  constexpr std::size_t kMinPrefix = 3;
  for (const auto& candidate : candidates) {
    if (name.size() >= kMinPrefix && name.size() < candidate.size() &&
        editDistance(name, candidate.substr(0, name.size())) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::string suggestion(const std::string& name, const std::vector<std::string>& candidates,
                       const std::string& what) {
  if (const auto near = nearestName(name, candidates)) {
    return " (did you mean '" + *near + "'?)";
  }
  if (candidates.empty()) {
    return " (none are defined)";
  }
  // Keep the line readable however many ids a facility has.
  constexpr std::size_t kMaxListed = 10;
  std::string list;
  for (std::size_t i = 0; i < candidates.size() && i < kMaxListed; ++i) {
    list += (list.empty() ? "" : ", ") + candidates[i];
  }
  if (candidates.size() > kMaxListed) {
    list += ", ...";
  }
  return " (" + what + ": " + list + ")";
}

}  // namespace failover::config
