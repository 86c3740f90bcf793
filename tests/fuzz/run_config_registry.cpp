#include "tests/fuzz/run_config_registry.h"

namespace vidpred::stages {
// The torch-free stages, compiled into the fuzzer from their own files.
void register_TemporalWindowAugmenter(Registry&);
void register_ColorJitterAugmenter(Registry&);
void register_GaussianNoiseAugmenter(Registry&);
void register_MonotonicAnnealer(Registry&);
void register_CyclicalAnnealer(Registry&);
void register_ConstantAnnealer(Registry&);
void register_ReferenceTeacherForcing(Registry&);
void register_LinearTeacherForcing(Registry&);
}  // namespace vidpred::stages

namespace vidpred::fuzz {
namespace {

// Interfaces with the kinds of the torch ones (stages/*/*.h); nothing to do.
template <const char* const& Kind, const char* const& Doc>
struct StandInKind {
  static constexpr const char* kKind = Kind;
  static constexpr const char* kKindDoc = Doc;
  virtual ~StandInKind() = default;
};

constexpr const char* kData = "data";
constexpr const char* kDataDoc = "where batches come from";
constexpr const char* kOptimizer = "optimizer";
constexpr const char* kOptimizerDoc = "the torch optimizer and its hyper-parameters";
constexpr const char* kPrior = "prior";
constexpr const char* kPriorDoc = "the prior over the latent z (training KL target and sampling)";
constexpr const char* kMetric = "metric";
constexpr const char* kMetricDoc = "a per-frame quality measure of predictions against the truth";
constexpr const char* kPredictor = "predictor";
constexpr const char* kPredictorDoc = "baseline predictors for evaluation";
constexpr const char* kWriter = "writer";
constexpr const char* kWriterDoc = "outputs: GIFs, image grids, videos, plots, TensorBoard event files";

using DataKind = StandInKind<kData, kDataDoc>;
using OptimizerKind = StandInKind<kOptimizer, kOptimizerDoc>;
using PriorKind = StandInKind<kPrior, kPriorDoc>;
using MetricKind = StandInKind<kMetric, kMetricDoc>;
using PredictorKind = StandInKind<kPredictor, kPredictorDoc>;
using WriterKind = StandInKind<kWriter, kWriterDoc>;

// One stand-in: a name, a summary and a schema, copied from the stage's file.
#define VIDPRED_STAND_IN(Class, Kind, Name, Summary, ...)   \
  struct Class : Kind {                                     \
    using Interface = Kind;                                 \
    static constexpr const char* kName = Name;              \
    static constexpr const char* kSummary = Summary;        \
    static Schema schema() { return Schema() __VA_ARGS__; } \
    explicit Class(const Params&) {}                        \
  };

// stages/data/hdf5_source.cpp
VIDPRED_STAND_IN(Hdf5DataSource, DataKind, "hdf5",
                 "converted HDF5 splits (vidpred convert), streamed by a oneTBB flow graph",
    .required_string("root", "folder of the converted splits (train.h5, validate.h5, test.h5)")
    .integer("batch_size", 16, "sequences per (global) batch", {1, 1 << 20})
    .integer("prefetch", 4, "batches alive at once, the one in use included (bounds memory)", {1, 1024})
    .integer("threads", 2, "threads of the data graph (0: all cores)", {0, 1024})
    .string("sampling", "shuffle", "training order: a fresh permutation per epoch, draws with replacement "
            "(the reference), or in order", {"shuffle", "replacement", "sequential"})
    .flag("drop_last", true, "drop a training epoch's short last batch"))

// stages/optim/*.cpp (adam.cpp holds adam and adamw)
VIDPRED_STAND_IN(AdamOptimizer, OptimizerKind, "adam", "Adam (the reference's optimizer)",
    .real("lr", 0.002, "learning rate", {0.0, {}})
    .real("beta1", 0.9, "first-moment decay", {0.0, 1.0})
    .real("beta2", 0.999, "second-moment decay", {0.0, 1.0})
    .real("eps", 1e-8, "denominator term", {0.0, {}})
    .real("weight_decay", 0.0, "L2 penalty added to the gradient", {0.0, {}})
    .flag("amsgrad", false, "use the AMSGrad variant"))
VIDPRED_STAND_IN(AdamWOptimizer, OptimizerKind, "adamw", "AdamW (decoupled weight decay)",
    .real("lr", 0.002, "learning rate", {0.0, {}})
    .real("beta1", 0.9, "first-moment decay", {0.0, 1.0})
    .real("beta2", 0.999, "second-moment decay", {0.0, 1.0})
    .real("eps", 1e-8, "denominator term", {0.0, {}})
    .real("weight_decay", 0.01, "decoupled weight decay", {0.0, {}})
    .flag("amsgrad", false, "use the AMSGrad variant"))
VIDPRED_STAND_IN(SgdOptimizer, OptimizerKind, "sgd", "stochastic gradient descent with momentum",
    .real("lr", 0.01, "learning rate", {0.0, {}})
    .real("momentum", 0.9, "momentum", {0.0, 1.0})
    .real("dampening", 0.0, "momentum dampening", {0.0, 1.0})
    .real("weight_decay", 0.0, "L2 penalty", {0.0, {}})
    .flag("nesterov", false, "Nesterov momentum"))
VIDPRED_STAND_IN(RmsPropOptimizer, OptimizerKind, "rmsprop", "RMSprop",
    .real("lr", 0.001, "learning rate", {0.0, {}})
    .real("alpha", 0.99, "smoothing constant", {0.0, 1.0})
    .real("eps", 1e-8, "denominator term", {0.0, {}})
    .real("momentum", 0.0, "momentum", {0.0, 1.0})
    .real("weight_decay", 0.0, "L2 penalty", {0.0, {}})
    .flag("centered", false, "normalise by the gradient's variance estimate"))

// stages/priors/*.cpp
VIDPRED_STAND_IN(FixedPriorStage, PriorKind, "fixed", "N(0, I), the reference (SVG-FP)", )
VIDPRED_STAND_IN(LearnedPriorStage, PriorKind, "learned", "a Gaussian LSTM on the previous frame's encoding (SVG-LP)",
    .integer("layers", 1, "LSTM layers", {1, 16})
    .integer("rnn_size", 0, "LSTM width (0: model.rnn_size)", {0, 65536}))

// stages/metrics/*.cpp
VIDPRED_STAND_IN(MseMetric, MetricKind, "mse", "mean squared error over C*H*W per frame", )
VIDPRED_STAND_IN(PsnrMetric, MetricKind, "psnr",
                 "peak signal-to-noise ratio in dB (per channel, averaged; capped at 100)", )
VIDPRED_STAND_IN(SsimMetric, MetricKind, "ssim",
                 "structural similarity (11x11 Gaussian window, sigma 1.5, valid, float64)", )
VIDPRED_STAND_IN(MotionPsnrMetric, MetricKind, "motion_psnr",
                 "PSNR in dB over the pixels that moved since the last observed frame (capped at 100; none moved: "
                 "no score)",
    .real("threshold", 0.1,
          "a pixel moved when a channel of the truth differs from the last observed frame by more than this "
          "(frames in [0, 1])",
          {0.0, 1.0}))

// stages/predictors/*.cpp
VIDPRED_STAND_IN(CopyLastPredictor, PredictorKind, "copy_last", "repeats the last observed frame", )
VIDPRED_STAND_IN(MeanFramePredictor, PredictorKind, "mean_frame", "repeats the mean of the observed frames", )

// stages/writers/*.cpp: torch-free, but kept out of the fuzz build (video,
// GIF and protobuf code that parsing never reaches).
VIDPRED_STAND_IN(GifWriter, WriterKind, "gif", "animated GIFs gif/seq_<index>.gif: truth beside the predictions",
    .integer("sequences", 4, "how many sequences get a GIF (the first ones evaluated)", {0, 100000})
    .integer("samples", 3, "predictions shown beside the truth (the best first)", {0, 100})
    .integer("scale", 2, "each frame pixel becomes scale x scale pixels", {1, 16})
    .integer("delay_ms", 200, "time each frame is shown, in milliseconds", {20, 60000}))
VIDPRED_STAND_IN(PngGridWriter, WriterKind, "png_grid",
                 "PNG grids grid/seq_<index>.png (rows: truth, predictions; columns: time)",
    .integer("sequences", 4, "how many sequences get a grid (the first ones evaluated)", {0, 100000})
    .integer("samples", 3, "prediction rows under the truth (the best first)", {0, 100})
    .integer("scale", 1, "each frame pixel becomes scale x scale pixels", {1, 16})
    .flag("overview", true, "also write grid/all.png at the end of evaluation: truth and best of each sequence"))
VIDPRED_STAND_IN(VideoWriter, WriterKind, "video", "videos video/seq_<index>.avi|mp4: truth beside the best prediction",
    .integer("sequences", 4, "how many sequences get a video (the first ones evaluated)", {0, 100000})
    .string("format", "avi", "avi (Motion JPEG, always available) or mp4 (MPEG-4 part 2, if OpenCV has it)",
            {"avi", "mp4"})
    .real("fps", 4.0, "frames per second", {0.1, 120.0})
    .integer("scale", 4, "each frame pixel becomes scale x scale pixels", {1, 16}))
VIDPRED_STAND_IN(CurvePngWriter, WriterKind, "curve_png", "line plots plots/<figure>.png of the curves of each phase",
    .integer("width", 800, "plot width in pixels", {200, 8000})
    .integer("height", 500, "plot height in pixels", {150, 8000}))
VIDPRED_STAND_IN(TensorBoardWriter, WriterKind, "tensorboard",
                 "TensorBoard event files: scalars per epoch, sequences as images, curves",
    .integer("images", 2, "sequences logged as images, truth row over best row (the first ones)", {0, 1000}))

#undef VIDPRED_STAND_IN

}  // namespace

Registry run_config_registry() {
  Registry registry;
  stages::register_TemporalWindowAugmenter(registry);
  stages::register_ColorJitterAugmenter(registry);
  stages::register_GaussianNoiseAugmenter(registry);
  stages::register_MonotonicAnnealer(registry);
  stages::register_CyclicalAnnealer(registry);
  stages::register_ConstantAnnealer(registry);
  stages::register_ReferenceTeacherForcing(registry);
  stages::register_LinearTeacherForcing(registry);
  registry.add<Hdf5DataSource>();
  registry.add<AdamOptimizer>();
  registry.add<AdamWOptimizer>();
  registry.add<SgdOptimizer>();
  registry.add<RmsPropOptimizer>();
  registry.add<FixedPriorStage>();
  registry.add<LearnedPriorStage>();
  registry.add<MseMetric>();
  registry.add<PsnrMetric>();
  registry.add<SsimMetric>();
  registry.add<MotionPsnrMetric>();
  registry.add<CopyLastPredictor>();
  registry.add<MeanFramePredictor>();
  registry.add_alias(PredictorKind::kKind, "copy-last", "copy_last");
  registry.add_alias(PredictorKind::kKind, "mean-frame", "mean_frame");
  registry.add<GifWriter>();
  registry.add<PngGridWriter>();
  registry.add<VideoWriter>();
  registry.add<CurvePngWriter>();
  registry.add<TensorBoardWriter>();
  return registry;
}

}  // namespace vidpred::fuzz
