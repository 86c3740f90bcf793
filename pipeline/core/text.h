#pragma once
// Small text helpers shared by error messages and listings.
#include <string>
#include <string_view>
#include <vector>

namespace vidpred {

// The candidate closest to `word` by edit distance, or "" if none is close
// enough to be a plausible typo.
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" — for appending to an error message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// The first run of decimal digits in `name` (traj_256_to_511 -> 256), or -1.
long long first_number(std::string_view name);

}  // namespace vidpred
