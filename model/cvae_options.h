#pragma once
// The CVAE's dimensions, torch-free so that the run file's schema (which
// takes its defaults from here) builds without LibTorch.
#include <cstdint>

namespace vidpred::model {

struct CvaeOptions {
  int64_t g_dim = 128;            // frame encoding size
  int64_t z_dim = 64;             // latent size
  int64_t rnn_size = 256;         // LSTM width
  int64_t predictor_layers = 2;
  int64_t posterior_layers = 1;
  int64_t cond_dim = 7;           // action (4) + end-effector position (3)
  int64_t channels = 3;
  double width = 1.0;             // scales every convolution's channels
  bool last_frame_skip = false;   // take skips from the last frame, not the last observed one
  // The decoder also draws a mask and a flow field, and each predicted frame
  // is the last observed one (with last_frame_skip the previous one) moved by
  // the flow, blended by the mask with the drawn pixels (model/warp.h): what
  // does not change is copied, not redrawn by a small decoder. Off in the
  // reference.
  bool warp = false;
  // Conditions enter the frame predictor standardised per dimension by the
  // training data's mean and deviation (buffers cond_mean and cond_std, set
  // when training starts and saved with the weights). Raw, a robot's actions
  // (deviation 0.05) weigh a twentieth of the encodings beside them, and Adam,
  // moving every weight at the same rate, takes thousands of steps to scale
  // them up. Off in the reference.
  bool normalize_cond = false;
  // false: the frame predictor sees no conditions (an unconditioned SVG,
  // whose futures do not depend on actions: nothing a planner can steer).
  bool conditioned = true;
  // Training only, the same math either way: encode all frames of a batch in
  // one call, and with teacher forcing decode them in one call too, with
  // BatchNorm statistics per frame batch (FrameBatches); false: frame by
  // frame, as the reference calls the modules.
  bool batch_frames = true;
};

}  // namespace vidpred::model
