#include "pipeline/run/prediction.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <torch/torch.h>

#include "converters/h5/layout.h"
#include "converters/png_dir_source.h"
#include "pipeline/config/config.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/frames.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/output_folder.h"
#include "pipeline/run/run_context.h"
#include "stages/data/batch.h"
#include "stages/kinematics/kinematics.h"
#include "stages/writers/html_page.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

constexpr int kFrameSize = 64;  // the model's frames are 64 x 64
constexpr const char* kOwnActions = "own actions";

int64_t frames_needed(const PredictionStart& s) { return s.n_past + s.horizon; }

// Rows of a per-frame CSV: as many as the frames to predict need, or an error
// naming the file that says how far it reaches.
void check_rows(const std::vector<float>& values, int columns, const PredictionStart& s, const std::string& what) {
  const int64_t rows = int64_t(values.size()) / columns;
  if (rows >= frames_needed(s)) return;
  const std::string shorter = rows > s.n_past ? fmt::format(" (or --horizon {})", rows - s.n_past) : "";
  throw Error(fmt::format("{} has {} rows (one per frame); {} observed + {} predicted frames need {}{}", what, rows,
                          s.n_past, s.horizon, frames_needed(s), shorter));
}

std::vector<float> first_rows(std::vector<float> values, int columns, const PredictionStart& s) {
  values.resize(size_t(frames_needed(s)) * columns);
  return values;
}

void check_enough_frames(int frames, const PredictionStart& s, const std::string& where) {
  if (frames >= s.n_past) return;
  throw Error(fmt::format("{} has {} frame{}; the run observes {} before it predicts", where, frames,
                          frames == 1 ? "" : "s", s.n_past));
}

// Per-frame rows as read, and how messages name them.
struct FrameRows {
  std::vector<float> values;
  std::string what;  // "'DIR/actions.csv'", "'SPLIT.h5' trajectory K's actions"
};

// A plan of the frames to predict; rows that do not reach that far are an error naming them.
ActionPlan make_plan(std::string name, fs::path file, const FrameRows& actions, const FrameRows& positions,
                     const PredictionStart& s) {
  check_rows(positions.values, kEndEffectorDim, s, positions.what);
  check_rows(actions.values, kActionDim, s, actions.what);
  return {std::move(name), std::move(file), first_rows(actions.values, kActionDim, s),
          first_rows(positions.values, kEndEffectorDim, s)};
}

// The start's own rows: its actions (for the plan of its own actions) and its end-effector positions.
struct StartRows {
  fs::path actions_file;  // empty for a stored trajectory
  FrameRows actions, positions;
};

StartRows read_folder_start(const fs::path& dir, bool own_actions, PredictionStart& s) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(fmt::format("--frames '{}' is not a folder", dir.string()));
  const int frames = count_numbered_frames(dir);
  check_enough_frames(frames, s, fmt::format("'{}' (0.png, 1.png, ...)", dir.string()));
  s.known_frames = int(std::min<int64_t>(frames, frames_needed(s)));
  const size_t frame_bytes = size_t(kFrameSize) * kFrameSize * 3;
  s.frames.resize(s.known_frames * frame_bytes);
  for (int t = 0; t < s.known_frames; ++t) {
    auto rgb = read_numbered_frame(dir, t, kFrameSize, kFrameSize);
    std::copy(rgb.begin(), rgb.end(), s.frames.begin() + t * frame_bytes);
  }
  StartRows rows;
  const fs::path positions = dir / kEndEffectorCsv;
  rows.positions = {read_float_csv(positions, kEndEffectorDim), fmt::format("'{}'", positions.string())};
  if (own_actions) {  // plans of their own need no actions.csv
    rows.actions_file = dir / kActionsCsv;
    rows.actions = {read_float_csv(rows.actions_file, kActionDim), fmt::format("'{}'", rows.actions_file.string())};
  }
  return rows;
}

StartRows read_stored_start(const fs::path& file, int64_t index, PredictionStart& s) {
  h5::quiet_errors();
  h5::DatasetReader reader(file);
  if (index < 0 || size_t(index) >= reader.size()) {
    throw Error(fmt::format("--index {} is out of range: '{}' holds {} trajectories (0..{})", index, file.string(),
                            reader.size(), int64_t(reader.size()) - 1));
  }
  if (reader.info().height != kFrameSize || reader.info().width != kFrameSize) {
    throw Error(fmt::format("'{}' holds {}x{} frames; the model takes {}x{}", file.string(), reader.info().width,
                            reader.info().height, kFrameSize, kFrameSize));
  }
  const Trajectory t = reader.read(size_t(index));
  const std::string what = fmt::format("'{}' trajectory {}", file.string(), index);
  check_enough_frames(t.frames, s, what);
  s.noise_key = index;
  s.known_frames = int(std::min<int64_t>(t.frames, frames_needed(s)));
  s.frames.assign(t.pixels.begin(), t.pixels.begin() + s.known_frames * t.frame_bytes());
  return {{}, {t.actions, what + "'s actions"}, {t.endeffector, what + "'s end-effector positions"}};
}

// The first row that has any values (its 1-based line number), and how many
// it has: a plan has 4 (actions) or 7 (actions and positions) a row.
struct FirstRow {
  int line = 0, values = kActionDim;
};
FirstRow first_row(std::string_view text) {
  for (int line_number = 1; !text.empty(); ++line_number) {
    const std::string_view line = text.substr(0, text.find('\n'));
    const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (!blank) return {line_number, int(std::count(line.begin(), line.end(), ',')) + 1};
    text = line.size() < text.size() ? text.substr(line.size() + 1) : std::string_view();
  }
  return {};
}

// The positions a plan of actions leads to: the observed frames' are known
// (the start's), and from the last observed one on the plan's actions move
// the end-effector as `kinematics` has it.
std::vector<float> derived_positions(const FrameRows& actions, const FrameRows& start_positions,
                                     const PredictionStart& s, const stages::Kinematics& kinematics) {
  check_rows(actions.values, kActionDim, s, actions.what);
  const int64_t last_observed = s.n_past - 1;
  if (int64_t(start_positions.values.size()) / kEndEffectorDim < s.n_past) {
    throw Error(fmt::format("{} has {} rows (one per frame); the {} observed frames need {}", start_positions.what,
                            start_positions.values.size() / kEndEffectorDim, s.n_past, s.n_past));
  }
  const float* from = start_positions.values.data() + last_observed * kEndEffectorDim;
  const std::vector<float> planned(actions.values.begin() + last_observed * kActionDim,
                                   actions.values.begin() + frames_needed(s) * kActionDim);
  const std::vector<float> moved = kinematics.positions({from[0], from[1], from[2]}, planned);
  std::vector<float> positions(start_positions.values.begin(),
                               start_positions.values.begin() + last_observed * kEndEffectorDim);
  positions.insert(positions.end(), moved.begin(), moved.end());
  return positions;
}

// A plan file: rows of 4 actions (the end-effector positions derived from
// them), or of 4 actions and 3 positions, the model's 7 conditions.
ActionPlan read_plan(const fs::path& file, const FrameRows& start_positions, const PredictionStart& s,
                     const stages::Kinematics& kinematics) {
  const std::string text = read_file(file), what = fmt::format("'{}'", file.string());
  constexpr int kBoth = kActionDim + kEndEffectorDim;
  const FirstRow first = first_row(text);
  if (first.values != kActionDim && first.values != kBoth && first.values > 1) {
    throw Error(fmt::format("{} line {}: {} comma-separated values; a plan has {} a row (dx, dy, dz, gripper) or {} "
                            "(those and the end-effector x, y, z)",
                            file.string(), first.line, first.values, kActionDim, kBoth));
  }
  if (first.values != kBoth) {
    const FrameRows actions{parse_float_csv(text, kActionDim, file.string()), what};
    const FrameRows positions{derived_positions(actions, start_positions, s, kinematics), what};
    return make_plan(file.stem().string(), file, actions, positions, s);
  }
  const std::vector<float> rows = parse_float_csv(text, kBoth, file.string());
  FrameRows actions{{}, what}, positions{{}, what};
  for (size_t r = 0; r < rows.size() / kBoth; ++r) {
    const float* row = rows.data() + r * kBoth;
    actions.values.insert(actions.values.end(), row, row + kActionDim);
    positions.values.insert(positions.values.end(), row + kActionDim, row + kBoth);
  }
  return make_plan(file.stem().string(), file, actions, positions, s);
}

}  // namespace

namespace {

StartRows read_start(const PredictArgs& args, bool own_actions, PredictionStart& s) {
  if (args.frames_dir.empty() == args.split_file.empty()) {
    throw Error("give the start as --frames DIR or as --from SPLIT.h5 --index K");
  }
  return args.frames_dir.empty() ? read_stored_start(args.split_file, args.index, s)
                                 : read_folder_start(args.frames_dir, own_actions, s);
}

}  // namespace

ObservedFrames read_observed_frames(const PredictArgs& args, int64_t n_past) {
  PredictionStart s;
  s.n_past = n_past;
  s.horizon = 0;
  const StartRows rows = read_start(args, true, s);
  ActionPlan observed = make_plan("observed", {}, rows.actions, rows.positions, s);
  s.frames.resize(size_t(n_past) * kFrameSize * kFrameSize * 3);
  return {n_past, std::move(s.frames), std::move(observed.actions), std::move(observed.endeffector)};
}

std::vector<std::unique_ptr<stages::Writer>> picture_writers(const fs::path& run_dir, const Registry& registry,
                                                             int64_t rows, int64_t sequences) {
  const std::string outputs = fmt::format(
      "outputs=[{{type='gif', sequences={1}, samples={0}}}, {{type='png_grid', sequences={1}, samples={0}, "
      "overview=false}}]",
      rows, sequences);
  Config config = load_run_directory_config(run_dir, {}, {outputs}, registry);
  return build_writers(config, registry);
}

PredictionStart read_prediction_start(const PredictArgs& args, int64_t n_past, int64_t horizon,
                                      const stages::Kinematics& kinematics) {
  if (horizon < 1) throw Error(fmt::format("--horizon {}: predict at least one frame", horizon));
  PredictionStart s;
  s.n_past = n_past;
  s.horizon = horizon;
  const bool own_actions = args.action_files.empty();
  const StartRows rows = read_start(args, own_actions, s);
  if (own_actions) s.plans.push_back(make_plan(kOwnActions, rows.actions_file, rows.actions, rows.positions, s));
  for (const auto& file : args.action_files) s.plans.push_back(read_plan(file, rows.positions, s, kinematics));
  const bool future_known = s.known_frames > n_past;
  s.known_label = !future_known ? "context" : own_actions ? "truth" : "recorded";
  return s;
}

at::Tensor predict_futures(model::Cvae& model, c10::Device device, const PredictionStart& start, int64_t samples,
                           uint64_t seed) {
  const int64_t plans = int64_t(start.plans.size()), length = frames_needed(start);
  at::Tensor observed = frames_tensor(start.frames.data(), start.n_past, kFrameSize, kFrameSize);
  auto rows = [&](const std::vector<float>& values, int64_t columns) {
    return torch::from_blob(const_cast<float*>(values.data()), {length, columns}, torch::kFloat);
  };
  std::vector<at::Tensor> conditions;
  for (const auto& plan : start.plans) {
    // The data source's order: action, then position.
    conditions.push_back(torch::cat({rows(plan.actions, kActionDim), rows(plan.endeffector, kEndEffectorDim)}, 1));
  }
  stages::Batch batch;
  batch.frames = observed.unsqueeze(0).expand({plans, -1, -1, -1, -1}).contiguous().to(device);
  batch.cond = torch::stack(conditions).to(device);
  batch.samples.assign(size_t(plans), start.noise_key);
  return generate_samples(model, batch, {start.n_past, start.horizon, samples, seed}).cpu();
}

namespace {

std::string plan_label(const PredictionStart& s, size_t plan, int64_t sample, int64_t samples) {
  return samples > 1 ? fmt::format("{} #{}", s.plans[plan].name, sample + 1) : s.plans[plan].name;
}

fs::path sample_folder(size_t plan, int64_t sample) {
  return fs::path(fmt::format("plan_{}", plan + 1)) / fmt::format("sample_{}", sample + 1);
}

// Every plan's rows: plan, its file, frame, the 4 actions and 3 positions the model was given.
std::string actions_used_csv(const PredictionStart& s) {
  std::string csv = "plan,file,frame,dx,dy,dz,gripper,x,y,z\n";
  for (size_t p = 0; p < s.plans.size(); ++p) {
    const std::string file = s.plans[p].file.empty() ? s.plans[p].name : s.plans[p].file.string();
    for (int64_t t = 0; t < frames_needed(s); ++t) {
      csv += fmt::format("{},\"{}\",{}", p + 1, file, t);
      for (int k = 0; k < kActionDim; ++k) csv += fmt::format(",{:.9g}", s.plans[p].actions[t * kActionDim + k]);
      for (int k = 0; k < kEndEffectorDim; ++k) {
        csv += fmt::format(",{:.9g}", s.plans[p].endeffector[t * kEndEffectorDim + k]);
      }
      csv += "\n";
    }
  }
  return csv;
}

// One plan's column of the page: where it came from and the conditions the
// model was given, frame by frame.
stages::html::Page plan_column(const PredictionStart& s, size_t plan) {
  const ActionPlan& p = s.plans[plan];
  stages::html::Table actions;
  actions.header = {"frame", "", "dx", "dy", "dz", "gripper", "x", "y", "z"};
  actions.numeric = {0, 2, 3, 4, 5, 6, 7, 8};
  for (int64_t t = 0; t < frames_needed(s); ++t) {
    std::vector<std::string> row{std::to_string(t + 1), t < s.n_past ? "observed" : "predicted"};
    for (int k = 0; k < kActionDim; ++k) row.push_back(fmt::format("{:.3f}", p.actions[t * kActionDim + k]));
    for (int k = 0; k < kEndEffectorDim; ++k) row.push_back(fmt::format("{:.3f}", p.endeffector[t * kEndEffectorDim + k]));
    actions.rows.push_back(row);
  }
  stages::html::Page column("");
  column.raw(fmt::format("<h3>plan {}: {}</h3>\n", plan + 1, stages::html::escape(p.name)));
  column.paragraph(p.file.empty() ? "the start's own actions" : "from " + p.file.filename().string());
  return column.table(actions);
}

// index.html: the pictures the writers made (every plan side by side, in
// step), then the plans side by side, each with its actions.
std::string prediction_page(const PredictionStart& s, const fs::path& dir, const std::vector<fs::path>& pictures,
                            const std::vector<std::pair<std::string, std::string>>& about) {
  stages::html::Page page("vidpred predict");
  page.facts(about);
  page.section("Futures");
  page.paragraph(fmt::format("The {} beside each plan's future: the first {} frames are observed (green border), "
                             "the rest predicted (red). Frames of every future are in plan_P/sample_S/.",
                             s.known_label, s.n_past));
  std::vector<stages::html::Picture> shown;
  for (const auto& f : pictures) shown.push_back({stages::html::relative_url(dir / f, dir), f.generic_string(), true, 0});
  page.pictures(shown);
  std::vector<stages::html::Page> columns;
  for (size_t p = 0; p < s.plans.size(); ++p) columns.push_back(plan_column(s, p));
  return page.section("Plans").columns(columns).html();
}

// Writes every file under `dir`; returns them relative to it.
std::vector<fs::path> write_prediction(const fs::path& dir, const PredictionStart& s, const at::Tensor& futures,
                                       std::vector<std::unique_ptr<stages::Writer>>& writers,
                                       const std::vector<std::pair<std::string, std::string>>& about,
                                       const CancelToken& cancel) {
  const int64_t samples = futures.size(1);
  at::Tensor observed = frames_tensor(s.frames.data(), s.n_past, kFrameSize, kFrameSize);
  stages::EvalSequence sequence;
  sequence.index = s.noise_key;
  sequence.n_past = s.n_past;
  sequence.truth = {s.known_frames, kFrameSize, kFrameSize, s.frames};
  sequence.truth_label = s.known_label;
  std::vector<fs::path> files;
  for (size_t p = 0; p < s.plans.size(); ++p) {
    for (int64_t n = 0; n < samples; ++n) {
      cancel.throw_if_cancelled();
      stages::Video video = to_video(torch::cat({observed, futures[int64_t(p)][n]}, 0));
      Trajectory frames;
      frames.frames = video.frames;
      frames.pixels = video.rgb;
      frames.actions = s.plans[p].actions;
      frames.endeffector = s.plans[p].endeffector;
      write_png_dir_trajectory(frames, dir / sample_folder(p, n));
      files.push_back(sample_folder(p, n));
      sequence.predictions.push_back(std::move(video));
      sequence.labels.push_back(plan_label(s, p, n, samples));
    }
  }
  std::vector<fs::path> pictures;
  for (auto& w : writers) {
    w->begin({dir, "predict"});
    w->sequence(sequence);
    w->end({}, {});
    for (const auto& f : w->files()) pictures.push_back(f.lexically_relative(dir));
  }
  files.insert(files.end(), pictures.begin(), pictures.end());
  write_file_atomically(dir / "actions_used.csv", actions_used_csv(s));
  files.push_back("actions_used.csv");
  write_file_atomically(dir / "index.html", prediction_page(s, dir, pictures, about));
  files.push_back("index.html");
  return files;
}

// What the page says about the prediction, before its pictures.
std::vector<std::pair<std::string, std::string>> about_prediction(const PredictArgs& args, const PredictReport& r) {
  fs::path run = fs::absolute(args.run_dir).lexically_normal();
  if (run.filename().empty()) run = run.parent_path();
  const std::string start = args.frames_dir.empty()
                                ? fmt::format("{} trajectory {}", args.split_file.filename().string(), args.index)
                                : args.frames_dir.string();
  return {{"run", run.filename().string()},
          {"checkpoint", r.checkpoint.filename().string()},
          {"start", start},
          {"frames", fmt::format("{} observed, {} predicted", r.n_past, r.horizon)},
          {"futures per plan", std::to_string(r.samples)},
          {"page made", stages::html::local_time_now()}};
}

}  // namespace

PredictReport predict(const PredictArgs& args, const Registry& registry, const CancelToken& cancel) {
  const Stopwatch watch;
  const OutputFolder folder{args.out, "predict", "an earlier prediction", args.force};
  folder.check();
  if (args.samples < 1) throw Error(fmt::format("--samples {}: draw at least one future", args.samples));
  Config config = load_run_directory_config(args.run_dir, {}, {}, registry);
  PredictReport report;
  report.checkpoint = choose_checkpoint(args.run_dir, args.checkpoint);
  const RunShape shape = run_shape(config);
  report.n_past = shape.n_past;
  report.horizon = args.horizon > 0 ? args.horizon : shape.n_future;
  report.samples = args.samples;
  const auto kinematics = registry.create<stages::Kinematics>(config.section("kinematics"));
  PredictionStart start = read_prediction_start(args, shape.n_past, report.horizon, *kinematics);
  report.plans = start.plans;
  const int64_t futures = int64_t(start.plans.size()) * args.samples;
  constexpr int64_t kMostShown = 100;  // the picture writers' limit
  if (futures > kMostShown) {
    throw Error(fmt::format("{} plans x --samples {} = {} futures; the GIF and grid show at most {}",
                            start.plans.size(), args.samples, futures, kMostShown));
  }
  auto writers = picture_writers(args.run_dir, registry, futures);

  TrainedModel trained = load_trained_model(config, registry, report.checkpoint);
  const uint64_t seed = args.seed ? *args.seed : uint64_t(config.section("run").integer("seed"));
  at::Tensor predicted = predict_futures(trained.model, trained.device, start, args.samples, seed);

  report.files = folder.write([&](const fs::path& staging) {
    return write_prediction(staging, start, predicted, writers, about_prediction(args, report), cancel);
  });
  report.out = args.out;
  report.seconds = watch.seconds();
  return report;
}

}  // namespace vidpred
