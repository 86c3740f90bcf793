#include "stages/register.h"

namespace vidpred::stages {

#define VIDPRED_STAGE(Class) void register_##Class(Registry& registry);
#include "stages/stages.def"
#undef VIDPRED_STAGE

Registry make_registry() {
  Registry registry;
#define VIDPRED_STAGE(Class) register_##Class(registry);
#include "stages/stages.def"
#undef VIDPRED_STAGE
  return registry;
}

}  // namespace vidpred::stages
