#pragma once
#include "pipeline/config/schema.h"

namespace vidpred {

// The tables of a run file. Stage tables (data, prior, annealer, ...) take
// their keys from the chosen stage's own schema.
Schema run_schema();

}  // namespace vidpred
