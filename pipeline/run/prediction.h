#pragma once
// `vidpred predict`: what a trained run expects to happen from a user's own
// start under one or more action plans. The start is the first n_past frames
// of a processed trajectory folder (0.png, 1.png, ... with actions.csv and
// endeffector_positions.csv, one row per frame) or of a stored trajectory
// (SPLIT.h5, index K). Each plan is a CSV, one row per frame, that replaces
// the start's actions (4 values a row; the end-effector positions are the
// start's while observed, then follow from the last observed one by the
// plan's actions, as the run's [kinematics] stage has it) or its actions and
// positions (7 values a row, the model's conditions). All plans share the
// start and the noise, so their futures differ by their conditions alone.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "model/cvae.h"
#include "pipeline/config/registry.h"
#include "pipeline/core/cancel.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace stages {
class Kinematics;
}

struct PredictArgs {
  std::filesystem::path run_dir;
  std::string checkpoint = "best";                  // best, last, or a path (as for eval)
  std::filesystem::path frames_dir;                 // the start from a folder...
  std::filesystem::path split_file;                 // ...or from trajectory `index` of a split
  int64_t index = -1;
  std::vector<std::filesystem::path> action_files;  // one plan each (4 or 7 values a row); none: the start's own
  int64_t samples = 1;                              // futures per plan
  int64_t horizon = 0;                              // predicted frames; 0: the run's train.n_future
  std::optional<uint64_t> seed;                     // the noise; default the run's run.seed
  std::filesystem::path out;
  bool force = false;  // replace an earlier prediction in `out`
};

struct ActionPlan {
  std::string name;                // the CSV's stem, or "own actions"
  std::filesystem::path file;      // empty for a stored trajectory's own actions
  std::vector<float> actions;      // (n_past + horizon) x 4
  std::vector<float> endeffector;  // (n_past + horizon) x 3: the plan's own, the start's, or derived
};

// Everything a prediction reads, checked before anything runs or is written.
struct PredictionStart {
  int64_t n_past = 2, horizon = 10;
  int64_t noise_key = 0;  // a stored trajectory's index in its split (eval's key), else 0
  int known_frames = 0;   // frames on disk, up to n_past + horizon: the first n_past are observed
  std::vector<uint8_t> frames;      // known_frames x 64 x 64 x 3, RGB HWC
  std::string known_label;          // "truth", "recorded" (other actions are planned) or "context"
  std::vector<ActionPlan> plans;
};

// Reads and checks the start and the plans; every problem (image size or
// channels, too few frames, a short or non-numeric CSV row, a horizon longer
// than the actions or positions) is an Error naming the file, row or frame.
// `kinematics` derives the positions of 4-value plans.
PredictionStart read_prediction_start(const PredictArgs& args, int64_t n_past, int64_t horizon,
                                      const stages::Kinematics& kinematics);

// The observed part of a start, for planning from it: its first n_past
// frames and their rows of actions and end-effector positions. Errors as
// read_prediction_start's.
struct ObservedFrames {
  int64_t n_past = 2;
  std::vector<uint8_t> frames;     // n_past x 64 x 64 x 3, RGB HWC
  std::vector<float> actions;      // n_past x 4
  std::vector<float> endeffector;  // n_past x 3
};
ObservedFrames read_observed_frames(const PredictArgs& args, int64_t n_past);

// The picture writers (gif, png_grid) as a run file's [[outputs]] would give
// them: `sequences` sequences, `rows` futures beside each one's known frames.
std::vector<std::unique_ptr<stages::Writer>> picture_writers(const std::filesystem::path& run_dir,
                                                             const Registry& registry, int64_t rows,
                                                             int64_t sequences = 1);

// Futures (plans, samples, horizon, 3, H, W) in [0, 1], generated as
// evaluation generates (the same noise for the same key, sample and seed).
at::Tensor predict_futures(model::Cvae& model, c10::Device device, const PredictionStart& start, int64_t samples,
                           uint64_t seed);

struct PredictReport {
  std::filesystem::path checkpoint, out;
  int64_t n_past = 0, horizon = 0, samples = 0;
  std::vector<ActionPlan> plans;
  std::vector<std::filesystem::path> files;  // under `out`; a folder of frames is listed as the folder
  double seconds = 0;
};

// Predicts and writes `out`: per plan and sample a folder of frames in the
// processed layout (PNG + the CSVs used), a GIF and a grid with the plans
// side by side, actions_used.csv, and index.html showing the pictures and
// each plan's actions. The folder is assembled under
// OUT.partial and renamed when complete: an error leaves no `out` behind.
PredictReport predict(const PredictArgs& args, const Registry& registry, const CancelToken& cancel);

}  // namespace vidpred
