#pragma once

// "Did you mean ...?" for misspelt keys and ids: the closest candidate by edit distance.

#include <optional>
#include <string>
#include <vector>

namespace failover::config {

// Levenshtein distance between `a` and `b`, compared case-insensitively (ASCII).
std::size_t editDistance(const std::string& a, const std::string& b);

// The candidate closest to `name`, if it is close enough to be a plausible typo: at most a
// quarter of the candidate's length away (at least 1, at most 3 edits), or else a candidate
// that `name` abbreviates (at least 3 leading characters). Ties go to the first.
std::optional<std::string> nearestName(const std::string& name,
                                       const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" when a candidate is close, else " (expected one of: a, b)" or,
// with no candidates, " (none are defined)". At most 10 candidates are listed. `what` names the
// candidates in the last two forms, e.g. "machines" gives " (machines: a, b)".
std::string suggestion(const std::string& name, const std::vector<std::string>& candidates,
                       const std::string& what = "expected one of");

}  // namespace failover::config
