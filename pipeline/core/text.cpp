#include "pipeline/core/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace vidpred {

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      size_t cost = std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_score = std::max<size_t>(2, word.size() / 3) + 1;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const auto& candidate : candidates) {
    const size_t d = edit_distance(word, candidate);
    bool prefix = candidate.size() > 2 && word.size() > 2 &&
                  (candidate.rfind(word, 0) == 0 || std::string_view(word).rfind(candidate, 0) == 0);
    // A prefix counts as one edit away; between equals, the closer spelling
    // wins ('synthetic-smal': 'synthetic-small' before 'synthetic-small-prev').
    const size_t score = prefix ? std::min<size_t>(d, 1) : d;
    if (score < best_score || (score == best_score && d < best_distance)) {
      best_score = score;
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = nearest_name(word, candidates);
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

long long first_number(std::string_view name) {
  const char* end = name.data() + name.size();
  const char* begin = std::find_if(name.data(), end, [](char c) { return std::isdigit(c); });
  if (begin == end) return -1;
  long long value = 0;
  // Digits beyond long long's range still sort after every smaller number.
  if (std::from_chars(begin, end, value).ec == std::errc::result_out_of_range) {
    return std::numeric_limits<long long>::max();
  }
  return value;
}

}  // namespace vidpred
