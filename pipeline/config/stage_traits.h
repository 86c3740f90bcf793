#pragma once
// What Registry::add reads from a stage class beyond the members every stage
// has: the optional ones, so that a stage declares only what it uses.
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

namespace vidpred::detail {

template <class Stage, class = void>
struct HasAliases : std::false_type {};
template <class Stage>
struct HasAliases<Stage, std::void_t<decltype(Stage::kAliases)>> : std::true_type {};

// A renamed stage lists its former names in `kAliases`, so that run files
// written before the rename still load.
template <class Stage>
std::vector<std::string> stage_aliases() {
  if constexpr (HasAliases<Stage>::value) {
    return {std::begin(Stage::kAliases), std::end(Stage::kAliases)};
  } else {
    return {};
  }
}

}  // namespace vidpred::detail
