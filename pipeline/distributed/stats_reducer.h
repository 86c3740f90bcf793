#pragma once
// The model's StatsReducer (model/batchnorm.h) over a process group: a sum
// across ranks that autograd differentiates (backward is the same all-reduce
// of the incoming gradients), for BatchNorm over the global batch.
#include <memory>

#include "model/batchnorm.h"
#include "pipeline/distributed/process_group.h"

namespace vidpred::dist {

// `group` must outlive the reducer's use (the training session owns both).
std::shared_ptr<model::StatsReducer> make_stats_reducer(ProcessGroup& group);

}  // namespace vidpred::dist
