#include "converters/numbered_paths.h"

#include <algorithm>

#include "pipeline/core/text.h"

namespace vidpred {
namespace fs = std::filesystem;

void sort_by_number(std::vector<fs::path>& paths) {
  std::sort(paths.begin(), paths.end(), [](const fs::path& a, const fs::path& b) {
    auto na = first_number(a.filename().string()), nb = first_number(b.filename().string());
    return na != nb ? na < nb : a.filename() < b.filename();
  });
}

}  // namespace vidpred
