// The precompiled header of every torch-heavy target (see VidpredTargets.cmake):
// parsing LibTorch's headers once instead of in every file is most of a clean
// build's time.
#include <torch/torch.h>
