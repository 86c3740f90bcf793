#include "pipeline/run/run_schema.h"

#include <variant>

namespace vidpred {
namespace {

using model::CvaeOptions;

// The [model] table, each key with the CvaeOptions field it sets: the schema
// (whose defaults are CvaeOptions') and model_options() both walk this one list.
struct ModelKey {
  const char* name;
  std::variant<double CvaeOptions::*, int64_t CvaeOptions::*, bool CvaeOptions::*> field;
  const char* doc;
  Range range;
};

const ModelKey kModelKeys[] = {
    {"width", &CvaeOptions::width, "scales every convolution's channel count (1.0 = the reference)", {1.0 / 64, 8.0}},
    {"g_dim", &CvaeOptions::g_dim, "frame encoding size", {1, 65536}},
    {"z_dim", &CvaeOptions::z_dim, "latent size", {1, 65536}},
    {"rnn_size", &CvaeOptions::rnn_size, "LSTM width", {1, 65536}},
    {"predictor_layers", &CvaeOptions::predictor_layers, "frame predictor LSTM layers", {1, 64}},
    {"posterior_layers", &CvaeOptions::posterior_layers, "posterior LSTM layers", {1, 64}},
    {"last_frame_skip", &CvaeOptions::last_frame_skip,
     "decode with the skips of the last frame, not of the last observed one", {}},
    {"normalize_cond", &CvaeOptions::normalize_cond,
     "standardise each condition dimension by the training data's mean and deviation (saved with the weights)", {}},
    {"conditioned", &CvaeOptions::conditioned,
     "the frame predictor sees the actions and positions (false: an unconditioned SVG, nothing to plan with)", {}},
    {"warp", &CvaeOptions::warp,
     "each prediction is the last observed frame (with last_frame_skip the previous one) moved by a drawn flow "
     "field and blended by a drawn mask with drawn pixels", {}},
};

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Schema model_schema() {
  const CvaeOptions defaults;
  Schema schema;
  for (const ModelKey& key : kModelKeys) {
    std::visit(Overloaded{
                   [&](double CvaeOptions::*f) { schema.real(key.name, defaults.*f, key.doc, key.range); },
                   [&](int64_t CvaeOptions::*f) { schema.integer(key.name, defaults.*f, key.doc, key.range); },
                   [&](bool CvaeOptions::*f) { schema.flag(key.name, defaults.*f, key.doc); },
               },
               key.field);
  }
  return schema;
}

}  // namespace

model::CvaeOptions model_options(const Params& table) {
  CvaeOptions options;
  for (const ModelKey& key : kModelKeys) {
    std::visit(Overloaded{
                   [&](double CvaeOptions::*f) { options.*f = table.real(key.name); },
                   [&](int64_t CvaeOptions::*f) { options.*f = table.integer(key.name); },
                   [&](bool CvaeOptions::*f) { options.*f = table.flag(key.name); },
               },
               key.field);
  }
  return options;
}

Schema run_schema() {
  Schema loss;
  loss.real("beta", 1e-4, "KL weight; the annealer's factor multiplies it", {0.0, {}})
      .real("ssim", 0.0, "weight of 1 - SSIM, summed over decoded frames as mse is (0: the reference's loss)",
            {0.0, {}});

  Schema train;
  train.integer("epochs", 40, "epochs to train", {1, 1000000})
      .integer("n_past", 2, "observed frames", {1, 1000})
      .integer("n_future", 10, "predicted frames", {1, 1000})
      .integer("steps_per_epoch", 0, "batches per epoch (0: one pass over the train split)", {0, {}})
      .integer("validate_every", 5, "validate every this many epochs (and after the last)", {1, {}})
      .integer("validate_batches", 0, "validation batches (0: the whole validate split)", {0, {}})
      .string("validate_split", "validate", "split used for validation and best.pt")
      .integer("checkpoint_every", 1, "write last.pt every this many epochs (and after the last)", {1, {}})
      .string("amp", "none", "mixed precision on CUDA: none or bf16 (autocast)", {"none", "bf16"})
      .flag("sync_batchnorm", false, "data-parallel runs: BatchNorm statistics over the global batch")
      .flag("batch_frames", true,
            "encode (and with teacher forcing decode) all frames in one call, BatchNorm still per frame batch: the "
            "same math, faster; false: frame by frame, as the reference");

  Schema eval;
  eval.string("split", "test", "split to evaluate (a converted .h5 in data.root)")
      .integer("samples", 1, "futures drawn per sequence; best, mean and worst are reported", {1, 10000})
      .integer("horizon", 0, "predicted frames (0: train.n_future); n_past + horizon <= trajectory length", {0, 1000})
      .integer("batch_size", 0, "sequences per batch (0: data.batch_size)", {0, 1 << 20})
      .integer("max_batches", 0, "evaluate only this many batches (0: the whole split)", {0, {}})
      .integer("visualize", 8, "sequences handed to the output writers (GIFs, grids, videos)", {0, {}})
      .stages("metrics", "metric", {"psnr", "ssim", "mse"}, "metrics; the first ranks the samples")
      .stages("baselines", "predictor", {"copy_last"}, "baseline predictors reported beside the model");

  Schema run;
  run.integer("seed", 1, "seed of initialisation, data order, augmentation, noise and teacher forcing", {0, {}})
      .string("device", "auto", "where the model runs", {"auto", "cpu", "cuda"})
      .integer("threads", 0, "threads for torch's CPU kernels (0: torch's default)", {0, 1024})
      .string("dir", "runs/vidpred", "run directory: config, log, checkpoints, outputs");

  Schema planning;
  planning.integer("futures", 1, "futures the model draws per candidate (its costs averaged); every candidate gets "
                                 "the same noise", {1, 64})
      .integer("execute", 3, "vidpred control: actions executed from each plan before planning again", {1, 1000})
      .integer("show", 4, "vidpred plan: the best plans shown side by side", {1, 16});

  return Schema()
      .stage("data", "data", "hdf5", "where batches come from")
      .stage("kinematics", "kinematics", "integrate",
             "end-effector positions from actions (vidpred predict's 4-value plans, planners)")
      .stages("augment", "augmenter", {}, "training augmentations, applied in order (none in the reference)")
      .table("model", model_schema(), "the CVAE's dimensions")
      .stage("prior", "prior", "fixed", "the prior over z")
      .table("loss", loss, "loss = mse + beta * factor * kld + ssim * dssim")
      .stage("annealer", "annealer", "cyclical", "KL annealing")
      .stage("teacher_forcing", "teacher_forcing", "reference", "teacher-forcing schedule")
      .stage("optimizer", "optimizer", "adam", "optimizer")
      .stage("lr_schedule", "lr_schedule", "constant", "the learning rate over the run")
      .table("train", train, "training")
      .table("eval", eval, "evaluation (vidpred eval and validation)")
      .stages("outputs", "writer", {}, "output writers (GIFs, grids, videos, plots, TensorBoard)")
      .table("run", run, "the run itself")
      .stage("planner", "planner", "cem", "vidpred plan and control: the search over action sequences")
      .stage("cost", "cost", "goal_mse", "vidpred plan and control: what the planner minimises")
      .table("planning", planning, "vidpred plan and control: the model's futures, the actions executed per decision");
}

}  // namespace vidpred
