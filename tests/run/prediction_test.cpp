// vidpred predict on a tiny trained run: the same futures as evaluation, plans
// that differ, the files a user gets, and every bad input refused with
// nothing written.
#include <doctest/doctest.h>

#include <fstream>

#include <fmt/format.h>
#include <torch/torch.h>
#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>
#endif

#include "converters/image_codec.h"
#include "converters/inspect.h"
#include "converters/png_dir_source.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/prediction.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/training.h"
#include "stages/kinematics/kinematics.h"
#include "stages/register.h"
#include "tests/support/datasets.h"
#include "tests/support/features.h"
#include "tests/support/tiny_run.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// A run of test-tiny (2 observed + 3 predicted frames) trained one epoch on
// trajectories of 8 frames, and trajectory 1 of its test split dumped as a
// start folder (8 frames, 8 rows of actions and positions).
struct PredictFixture {
  test::TempDir dir;
  fs::path root = test::make_dataset(dir.path(), 16, 6, 8, 0.25);
  Registry registry = stages::make_registry();
  fs::path run = dir / "run";
  fs::path start = dir / "start";

  PredictFixture() {
    train(train_args(run, {}), registry, CancelToken());
    if (test::kHaveImageIo) dump_trajectory(root / "test.h5", 1, start);
  }

  TrainArgs train_args(const fs::path& run_dir, std::vector<std::string> overrides) {
    overrides.insert(overrides.begin(), "train.epochs=1");
    return test::tiny_train_args(root, run_dir, overrides);
  }

  // The run's kinematics stage, as predict builds it (the default, integrate).
  std::unique_ptr<stages::Kinematics> kinematics() const {
    Config config = load_run_directory_config(run, {}, {}, registry);
    return registry.create<stages::Kinematics>(config.section("kinematics"));
  }

  PredictArgs from_folder() const {
    PredictArgs a;
    a.run_dir = run;
    a.frames_dir = start;
    a.out = dir / "out";
    return a;
  }

  // A plan of `rows` rows of the same action.
  fs::path plan(const std::string& name, int rows, float value) const {
    std::string csv;
    for (int r = 0; r < rows; ++r) csv += fmt::format("{0},{0},0,{0}\n", value);
    write_file_atomically(dir / name, csv);
    return dir / name;
  }

  void check_nothing_written() const {
    CHECK_FALSE(fs::exists(dir / "out"));
    CHECK_FALSE(fs::exists(dir / "out.partial"));
  }
};

}  // namespace

TEST_CASE("predict from a stored trajectory with its own actions is evaluation's generation of that sequence") {
  PredictFixture f;
  Config config = load_run_directory_config(f.run, {}, {}, f.registry);
  TrainedModel trained = load_trained_model(config, f.registry, f.run / "best.pt");
  const int64_t n_past = 2, horizon = 3, samples = 2, index = 3;
  const uint64_t seed = 7;  // the run's seed, which eval uses
  PredictArgs args;
  args.run_dir = f.run;
  args.split_file = f.root / "test.h5";
  args.index = index;
  PredictionStart start = read_prediction_start(args, n_past, horizon, *f.kinematics());
  CHECK(start.known_label == "truth");
  CHECK(start.known_frames == n_past + horizon);
  at::Tensor predicted = predict_futures(trained.model, trained.device, start, samples, seed);
  REQUIRE(predicted.sizes().vec() == std::vector<int64_t>{1, samples, horizon, 3, 64, 64});

  // What evaluate() generates: the test split in order, in eval's batches.
  auto data = f.registry.create<stages::DataSource>(config.section("data"));
  stages::EpochRequest request;
  request.split = "test";
  request.seed = seed;
  request.length = n_past + horizon;
  request.training = false;
  request.batch_size = config.section("eval").integer("batch_size");
  auto stream = data->open(request, CancelToken());
  at::Tensor evaluated;
  while (auto batch = stream->next()) {
    at::Tensor futures = generate_samples(trained.model, *batch, {n_past, horizon, samples, seed});
    for (size_t b = 0; b < batch->samples.size(); ++b) {
      if (batch->samples[b] == index) evaluated = futures[int64_t(b)];
    }
  }
  REQUIRE(evaluated.defined());
  const double difference = (predicted[0] - evaluated).abs().max().item<double>();
  CHECK_MESSAGE(difference < 1e-5, difference);
}

TEST_CASE("two action plans from one start give different futures, side by side in the files" *
          doctest::skip(!test::kHaveImageIo)) {
  PredictFixture f;
  PredictArgs args = f.from_folder();
  args.action_files = {f.plan("left.csv", 5, -1.0f), f.plan("right.csv", 5, 1.0f)};
  args.samples = 2;
  PredictReport report = predict(args, f.registry, CancelToken());
  REQUIRE(report.plans.size() == 2);
  CHECK(report.plans[0].name == "left");
  CHECK(report.horizon == 3);

  // Same start, same noise: the plans' futures differ by their actions alone
  // (compared before rounding to bytes: this one-epoch model barely moves).
  Config config = load_run_directory_config(f.run, {}, {}, f.registry);
  TrainedModel trained = load_trained_model(config, f.registry, f.run / "best.pt");
  const auto kinematics = f.kinematics();
  at::Tensor futures =
      predict_futures(trained.model, trained.device, read_prediction_start(args, 2, 3, *kinematics), 2, 7);
  CHECK_FALSE(torch::equal(futures[0], futures[1]));
  CHECK_FALSE(torch::equal(futures[0][0], futures[0][1]));  // samples differ by their noise
  // A plan of 7 values a row brings its own end-effector positions too.
  std::string seven;
  for (int t = 0; t < 5; ++t) seven += fmt::format("-1,-1,0,-1,0.{},0.5,0.1\n", t);
  write_file_atomically(f.dir / "placed.csv", seven);
  PredictArgs placed = args;
  placed.action_files = {args.action_files[0], f.dir / "placed.csv"};
  PredictionStart placed_start = read_prediction_start(placed, 2, 3, *kinematics);
  CHECK(placed_start.plans[0].actions == placed_start.plans[1].actions);
  CHECK(placed_start.plans[1].endeffector[3 * 4] == doctest::Approx(0.4));
  CHECK(placed_start.plans[0].endeffector != placed_start.plans[1].endeffector);
  at::Tensor placed_futures = predict_futures(trained.model, trained.device, placed_start, 1, 7);
  CHECK_FALSE(torch::equal(placed_futures[0], placed_futures[1]));
  PredictArgs same_plan_twice = args;
  same_plan_twice.action_files = {args.action_files[0], args.action_files[0]};
  at::Tensor twins =
      predict_futures(trained.model, trained.device, read_prediction_start(same_plan_twice, 2, 3, *kinematics), 2, 7);
  CHECK(torch::equal(twins[0], twins[1]));
  CHECK(test::files_equal(f.dir / "out/plan_1/sample_1/1.png", f.dir / "out/plan_2/sample_1/1.png"));
  CHECK(fs::exists(f.dir / "out/plan_2/sample_2/4.png"));
  CHECK_FALSE(fs::exists(f.dir / "out/plan_2/sample_2/5.png"));
  CHECK(test::read_text(f.dir / "out/plan_1/sample_1/actions.csv").find("-1,-1,0,-1\n") == 0);
  CHECK(fs::exists(f.dir / "out/grid/seq_0.png"));
  CHECK(fs::exists(f.dir / "out/gif/seq_0.gif"));
  const std::string used = test::read_text(f.dir / "out/actions_used.csv");
  CHECK(used.find("plan,file,frame,dx,dy,dz,gripper,x,y,z\n") == 0);
  CHECK(std::count(used.begin(), used.end(), '\n') == 1 + 2 * 5);
  for (const auto& file : report.files) CHECK_MESSAGE(fs::exists(file), file.string());
  CHECK_FALSE(fs::exists(f.dir / "out.partial"));
  // The page: the GIF and grid by relative links, each plan with its actions.
  const std::string page = test::read_text(f.dir / "out/index.html");
  CHECK(page.find("src=\"gif/seq_0.gif\"") != std::string::npos);
  CHECK(page.find("src=\"grid/seq_0.png\"") != std::string::npos);
  CHECK(page.find("plan 2: right") != std::string::npos);
  CHECK(page.find("<td class=\"num\">-1.000</td>") != std::string::npos);  // left's actions

  // The grid: a header row, the start's row (8 frames known: "truth"... here
  // "recorded", as the plans replace its actions), then 4 futures.
  const std::string grid = test::read_text(f.dir / "out/grid/seq_0.png");
  CHECK(grid.size() > 0);

  // A second prediction into the same folder needs --force, and then replaces it.
  CHECK_THROWS_WITH_AS(predict(args, f.registry, CancelToken()), doctest::Contains("pass --force"), Error);
  args.force = true;
  args.samples = 1;
  predict(args, f.registry, CancelToken());
  CHECK_FALSE(fs::exists(f.dir / "out/plan_2/sample_2"));
  // A folder that predict did not write is never replaced.
  std::ofstream(f.dir / "mine.txt") << "the user's own file";
  args.out = f.dir.path();
  CHECK_THROWS_WITH_AS(predict(args, f.registry, CancelToken()),
                       doctest::Contains("is not the output of vidpred predict"), Error);
  CHECK(fs::exists(f.dir / "mine.txt"));
}

TEST_CASE("a plan of 4 values a row: positions recorded while observed, then moved by the plan's actions" *
          doctest::skip(!test::kHaveImageIo)) {
  PredictFixture f;
  PredictArgs args = f.from_folder();
  // The start's own actions as a plan, and one of dx = dy = 2 a frame (far past the table's edge).
  args.action_files = {f.start / kActionsCsv, f.plan("corner.csv", 5, 2.0f)};
  const std::vector<float> recorded = read_float_csv(f.start / kEndEffectorCsv, kEndEffectorDim);
  PredictionStart s = read_prediction_start(args, 2, 3, *f.kinematics());
  // The synthetic world's own actions lead where it took the arm, to the last bit.
  CHECK(s.plans[0].endeffector == std::vector<float>(recorded.begin(), recorded.begin() + 5 * kEndEffectorDim));
  const std::vector<float>& corner = s.plans[1].endeffector;
  REQUIRE(corner.size() == 5 * kEndEffectorDim);
  CHECK(std::equal(corner.begin(), corner.begin() + 2 * kEndEffectorDim, recorded.begin()));  // observed
  for (int t = 2; t < 5; ++t) {
    CAPTURE(t);
    CHECK(corner[t * 3 + 0] == 0.85f);  // the default integrate's bounds
    CHECK(corner[t * 3 + 1] == 0.85f);
    CHECK(corner[t * 3 + 2] == recorded[1 * 3 + 2]);  // dz = 0 from the last observed frame
  }
  // predict gives the model, and writes, those positions; only the observed rows are needed from the start.
  std::string two_rows;
  for (int t = 0; t < 2; ++t) {
    two_rows += fmt::format("{},{},{}\n", recorded[t * 3], recorded[t * 3 + 1], recorded[t * 3 + 2]);
  }
  write_file_atomically(f.start / kEndEffectorCsv, two_rows);
  args.action_files = {args.action_files[1]};
  predict(args, f.registry, CancelToken());
  const std::string used = test::read_text(f.dir / "out/actions_used.csv");
  const std::string last_row = fmt::format(",4,2,2,0,2,{0:.9g},{0:.9g},{1:.9g}\n", 0.85f, recorded[1 * 3 + 2]);
  CHECK_MESSAGE(used.find(last_row) != std::string::npos, used);
}

TEST_CASE("bad input is refused with the file, row or frame named, and nothing is written" *
          doctest::skip(!test::kHaveImageIo)) {
  PredictFixture f;
  PredictArgs args = f.from_folder();
  auto refused = [&](const PredictArgs& a, const std::string& message) {
    CHECK_THROWS_WITH_AS(predict(a, f.registry, CancelToken()), doctest::Contains(message.c_str()), Error);
    f.check_nothing_written();
  };
  const std::string frame1 = (f.start / "1.png").string();
  const std::string good_frame = test::read_text(f.start / "1.png");

  SUBCASE("wrong image size") {
    std::vector<uint8_t> small(32 * 32 * 3, 128);
    write_file_atomically(f.start / "1.png", encode_png(small.data(), 32, 32));
    refused(args, fmt::format("'{}': image is 32x32, expected 64x64", frame1));
  }
#ifdef VIDPRED_HAVE_IMAGE_IO
  SUBCASE("wrong channels") {
    std::vector<uint8_t> grey;
    cv::imencode(".png", cv::Mat(64, 64, CV_8UC1, cv::Scalar(90)), grey);
    write_file_atomically(f.start / "1.png", std::string(grey.begin(), grey.end()));
    refused(args, fmt::format("'{}': image has 1 channel, expected 3 (RGB)", frame1));
    std::vector<uint8_t> rgba;
    cv::imencode(".png", cv::Mat(64, 64, CV_8UC4, cv::Scalar(1, 2, 3, 255)), rgba);
    write_file_atomically(f.start / "1.png", std::string(rgba.begin(), rgba.end()));
    refused(args, "image has 4 channels");
  }
#endif
  SUBCASE("too few frames") {
    for (int t = 1; t < 8; ++t) fs::remove(f.start / fmt::format("{}.png", t));
    refused(args, fmt::format("'{}' (0.png, 1.png, ...) has 1 frame; the run observes 2", f.start.string()));
  }
  SUBCASE("a short row, a non-numeric row") {
    const fs::path plan = f.dir / "plan.csv";
    args.action_files = {plan};
    write_file_atomically(plan, "0,0,0,0\n0,0,0,0\n0.5,0.5,0\n0,0,0,0\n0,0,0,0\n");
    refused(args, fmt::format("{} line 3: expected 4 values, found 3", plan.string()));
    write_file_atomically(plan, "0,0,0,0\nleft,0,0,0\n");
    refused(args, fmt::format("{} line 2: 'left,0,0,0' is not a list of numbers", plan.string()));
  }
  SUBCASE("a row of neither width, values separated by spaces") {
    const fs::path plan = f.dir / "plan.csv";
    args.action_files = {plan};
    write_file_atomically(plan, "\n0,0,0,0,0\n");
    refused(args, fmt::format("{} line 2: 5 comma-separated values; a plan has 4 a row (dx, dy, dz, gripper) or 7",
                              plan.string()));
    write_file_atomically(plan, "0.5 0 0 1\n");
    refused(args, fmt::format("{} line 1: unexpected '0' in '0.5 0 0 1' (values are separated by commas)",
                              plan.string()));
  }
  SUBCASE("a horizon longer than the actions or positions") {
    args.horizon = 10;
    refused(args, fmt::format("'{}' has 8 rows (one per frame); 2 observed + 10 predicted frames need 12 (or "
                              "--horizon 6)",
                              (f.start / "endeffector_positions.csv").string()));
    args.horizon = 0;
    args.action_files = {f.plan("short.csv", 4, 0.5f)};
    refused(args, fmt::format("'{}' has 4 rows (one per frame); 2 observed + 3 predicted frames need 5 (or "
                              "--horizon 2)",
                              (f.dir / "short.csv").string()));
  }
  SUBCASE("a stored trajectory out of range, or too short") {
    PredictArgs stored;
    stored.run_dir = f.run;
    stored.split_file = f.root / "test.h5";
    stored.index = 6;
    stored.out = f.dir / "out";
    refused(stored, "--index 6 is out of range");
    stored.index = 0;
    stored.horizon = 7;
    refused(stored, "trajectory 0's end-effector positions has 8 rows (one per frame); 2 observed + 7 predicted "
                    "frames need 9 (or --horizon 6)");
  }
  SUBCASE("a checkpoint of another configuration") {
    train(f.train_args(f.dir / "other", {"model.z_dim=8"}), f.registry, CancelToken());
    args.checkpoint = (f.dir / "other/best.pt").string();
    refused(args, "does not fit this model");
  }
  SUBCASE("a missing frame folder or run") {
    args.frames_dir = f.dir / "nowhere";
    refused(args, "is not a folder");
    args = f.from_folder();
    args.run_dir = f.dir / "rn";  // a typo of the run's folder name
    refused(args, fmt::format("run directory '{}' does not exist (did you mean '{}'?)", (f.dir / "rn").string(),
                              f.run.string()));
    args.run_dir = f.dir.path();  // a folder, but no run
    refused(args, "is not a run directory (no config.toml)");
  }
  write_file_atomically(f.start / "1.png", good_frame);
}

TEST_CASE("vidpred predict as a user runs it" * doctest::skip(!test::kHaveImageIo)) {
  PredictFixture f;
  const std::string out = (f.dir / "out").string();
  auto result = test::run_vidpred(fmt::format("predict {} --from {} --index 2 --actions {} --actions {} --out {}",
                                              f.run.string(), (f.root / "test.h5").string(),
                                              f.plan("a.csv", 8, 0.5f).string(), f.plan("b.csv", 8, -0.5f).string(),
                                              out));
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  CHECK(result.output.find("predicted 2 plans x 1 sample (2 observed + 3 predicted frames)") == 0);
  CHECK(result.output.find("  plan 2: " + (f.dir / "b.csv").string()) != std::string::npos);
  CHECK(result.output.find("  wrote " + out + "/grid/seq_2.png") != std::string::npos);

  auto bad = test::run_vidpred(fmt::format("predict {} --frames {} --horizon 10 --out {}/second", f.run.string(),
                                           f.start.string(), f.dir.path().string()));
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("vidpred: error: '" + (f.start / "endeffector_positions.csv").string() + "' has 8 rows") ==
        0);
  CHECK(std::count(bad.output.begin(), bad.output.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(f.dir / "second"));

  auto both = test::run_vidpred(fmt::format("predict {} --frames {} --from x.h5 --index 0 --out {}/third",
                                            f.run.string(), f.start.string(), f.dir.path().string()));
  CHECK(both.exit_code != 0);
  CHECK(both.output.find("excludes") != std::string::npos);
}
