#pragma once
#include "model/cvae_options.h"
#include "pipeline/config/params.h"
#include "pipeline/config/schema.h"

namespace vidpred {

// The tables of a run file. Stage tables (data, prior, annealer, ...) take
// their keys from the chosen stage's own schema.
Schema run_schema();

// The model's options from a validated [model] table.
model::CvaeOptions model_options(const Params& model);

}  // namespace vidpred
