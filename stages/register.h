#pragma once
#include "pipeline/config/registry.h"

namespace vidpred::stages {

// A registry holding every stage of stages.def.
Registry make_registry();

}  // namespace vidpred::stages
