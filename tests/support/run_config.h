#pragma once
// The tests' run file (configs/test-tiny.toml) with overrides, resolved
// against the real run schema and stage registry.
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/run/run_schema.h"
#include "stages/register.h"

namespace vidpred::test {

inline Config tiny_config(const Registry& registry, const std::string& data_root,
                          std::vector<std::string> overrides = {}) {
  overrides.insert(overrides.begin(), "data.root=" + data_root);
  return Config::load(std::string(VIDPRED_SOURCE_DIR) + "/configs/test-tiny.toml", overrides, run_schema(), registry);
}

}  // namespace vidpred::test
