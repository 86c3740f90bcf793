#pragma once
// What Registry::add reads from a stage class beyond the members every stage
// has: the optional ones, so that a stage declares only what it uses.
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/config/params.h"
#include "pipeline/config/schema.h"

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

template <class Stage, class = void>
struct HasSchema : std::false_type {};
template <class Stage>
struct HasSchema<Stage, std::void_t<decltype(Stage::schema())>> : std::true_type {};

// A stage without keys leaves out schema() and the Params constructor: the
// two lines that said "no keys" were a third of such a stage.
template <class Stage>
Schema stage_schema() {
  if constexpr (HasSchema<Stage>::value) {
    return Stage::schema();
  } else {
    return Schema();
  }
}

template <class Stage>
std::unique_ptr<Stage> make_stage(const Params& params) {
  if constexpr (std::is_constructible_v<Stage, const Params&>) {
    return std::make_unique<Stage>(params);
  } else {
    return std::make_unique<Stage>();
  }
}

}  // namespace vidpred::detail
