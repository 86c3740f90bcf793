#pragma once
// The registry the run-config fuzzer validates against, without LibTorch:
// the real torch-free stages (schedules, augmenters) plus stand-ins with the
// same kind, name and schema as each torch stage (and each writer), since only
// schemas matter to Config::parse and to_toml. fuzz/standins_test.cpp checks,
// in builds with LibTorch, that every real stage is here with an equal schema.
#include "pipeline/config/registry.h"

namespace vidpred::fuzz {

Registry run_config_registry();

}  // namespace vidpred::fuzz
