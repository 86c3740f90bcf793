#include "pipeline/run/plan.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "converters/image_codec.h"
#include "converters/trajectory.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/core/text.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/frames.h"
#include "pipeline/run/model_dynamics.h"
#include "pipeline/run/output_folder.h"
#include "pipeline/run/planning.h"
#include "pipeline/run/run_context.h"
#include "stages/writers/html_page.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

constexpr int kImageSize = 64;  // the model's frames and the goal are 64 x 64

// The goal picture as the cost takes it; an unreadable file, another format
// or size is an error naming the file.
std::vector<uint8_t> read_goal(const fs::path& file) {
  const std::string bytes = read_file(file);
  try {
    return decode_rgb_image(bytes, kImageSize, kImageSize);
  } catch (const BuildLacks&) {
    throw;
  } catch (const Error& e) {
    throw Error(fmt::format("--goal '{}': {}", file.string(), e.what()));
  }
}

std::string float_row(const at::Tensor& row) {
  std::string line;
  const at::Tensor values = row.contiguous();
  for (int64_t k = 0; k < values.numel(); ++k) line += fmt::format("{}{:.9g}", k ? "," : "", values[k].item<float>());
  return line + "\n";
}

// Every row of the model's conditions for `actions` (H, 4): what predict --actions reads.
std::string plan_csv(const ModelDynamics& dynamics, const at::Tensor& actions) {
  std::string csv;
  const at::Tensor rows = dynamics.conditions(actions.unsqueeze(0))[0];
  for (int64_t t = 0; t < rows.size(0); ++t) csv += float_row(rows[t]);
  return csv;
}

std::string costs_csv(const stages::PlanResult& r) {
  std::string csv = "iteration,best,elite_mean,mean\n";
  for (size_t i = 0; i < r.iterations.size(); ++i) {
    const auto& c = r.iterations[i];
    csv += fmt::format("{},{:.9g},{:.9g},{:.9g}\n", i + 1, c.best, c.elite_mean, c.mean);
  }
  return csv;
}

std::string top_plans_csv(const stages::PlanResult& r) {
  std::string csv = "rank,cost,step,dx,dy,dz,gripper\n";
  for (int64_t k = 0; k < r.top.size(0); ++k) {
    for (int64_t t = 0; t < r.top.size(1); ++t) {
      csv += fmt::format("{},{:.9g},{},", k + 1, r.top_costs[size_t(k)], t + 1) + float_row(r.top[k][t]);
    }
  }
  return csv;
}

// The goal beside the best plans' futures: a row of the observed frames
// and the goal at every predicted step, then one row per plan, best first.
stages::EvalSequence goal_beside_plans(const ModelStart& start, const at::Tensor& goal, const at::Tensor& futures,
                                       const stages::PlanResult& r) {
  const int64_t n_past = start.frames.size(0), horizon = futures.size(1);
  stages::EvalSequence sequence;
  sequence.n_past = n_past;
  sequence.truth = to_video(torch::cat({start.frames, goal.unsqueeze(0).expand({horizon, -1, -1, -1})}, 0));
  sequence.truth_label = "goal";
  for (int64_t k = 0; k < futures.size(0); ++k) {
    sequence.predictions.push_back(to_video(torch::cat({start.frames, futures[k]}, 0)));
    sequence.labels.push_back(fmt::format("{} {:.4f}", k == 0 ? "best" : fmt::format("#{}", k + 1),
                                          r.top_costs[size_t(k)]));
  }
  return sequence;
}

// index.html: the goal beside the best plans' futures (the pictures the
// writers made), the cost per iteration, and the best plan's actions.
std::string plan_page(const PlanReport& report, const fs::path& dir, const std::vector<fs::path>& pictures) {
  namespace html = stages::html;
  html::Page page("vidpred plan");
  page.facts({{"checkpoint", report.checkpoint.filename().string()},
              {"frames", fmt::format("{} observed, {} planned", report.n_past, report.horizon)},
              {"candidates scored", std::to_string(report.result.candidates)},
              {"best cost", fmt::format("{:.5f}", report.result.cost())},
              {"page made", html::local_time_now()}});
  std::vector<html::Picture> shown;
  for (const auto& f : pictures) shown.push_back({html::relative_url(dir / f, dir), f.generic_string(), true, 0});
  page.section("The goal beside the best plans' futures").pictures(shown);
  html::Table costs;
  costs.header = {"iteration", "best", "elites' mean", "mean"};
  costs.numeric = {0, 1, 2, 3};
  for (size_t i = 0; i < report.result.iterations.size(); ++i) {
    const auto& c = report.result.iterations[i];
    costs.rows.push_back({std::to_string(i + 1), fmt::format("{:.5f}", c.best), fmt::format("{:.5f}", c.elite_mean),
                          fmt::format("{:.5f}", c.mean)});
  }
  page.section("Cost per iteration").table(costs);
  html::Table actions;
  actions.header = {"step", "dx", "dy", "dz", "gripper"};
  actions.numeric = {0, 1, 2, 3, 4};
  const at::Tensor best = report.result.actions.cpu().to(at::kDouble);
  for (int64_t t = 0; t < best.size(0); ++t) {
    std::vector<std::string> row{std::to_string(t + 1)};
    for (int64_t k = 0; k < best.size(1); ++k) row.push_back(fmt::format("{:.3f}", best[t][k].item<double>()));
    actions.rows.push_back(row);
  }
  return page.section("The best plan (plan.csv adds the positions)").table(actions).html();
}

}  // namespace

PlanReport plan(const PlanArgs& args, const Registry& registry, const CancelToken& cancel) {
  const Stopwatch watch;
  const OutputFolder folder{args.out, "plan", "an earlier plan", args.force};
  folder.check();
  Config config = load_run_directory_config(args.start.run_dir, {}, args.overrides, registry);
  check_conditioned(config);
  const PlanningSetup setup = planning_setup(config, registry);
  const std::vector<uint8_t> goal_rgb = read_goal(args.goal);
  const ObservedFrames observed = read_observed_frames(args.start, setup.n_past);
  const ModelStart start =
      model_start(observed.frames.data(), observed.actions, observed.endeffector, observed.n_past, kImageSize);
  PlanReport report;
  report.checkpoint = choose_checkpoint(args.start.run_dir, args.start.checkpoint);
  auto writers = picture_writers(args.start.run_dir, registry, setup.show);
  TrainedModel trained = load_trained_model(config, registry, report.checkpoint);

  const uint64_t seed = args.seed ? *args.seed : uint64_t(config.section("run").integer("seed"));
  ModelDynamics dynamics(trained.model, trained.device, start, *setup.kinematics, setup.futures, seed, 0);
  const stages::Goal goal{frames_tensor(goal_rgb.data(), 1, kImageSize, kImageSize)[0]};
  report.result = plan_toward(setup, dynamics, goal, seed, 0, cancel);
  cancel.throw_if_cancelled();
  const at::Tensor futures = dynamics.rollout(report.result.top).select(1, 0);  // the first future of each

  report.files = folder.write([&](const fs::path& dir) {
    std::vector<fs::path> files{"plan.csv", "costs.csv", "top_plans.csv", "goal.png"};
    write_file_atomically(dir / files[0], plan_csv(dynamics, report.result.actions));
    write_file_atomically(dir / files[1], costs_csv(report.result));
    write_file_atomically(dir / files[2], top_plans_csv(report.result));
    write_file_atomically(dir / files[3], encode_png(goal_rgb.data(), kImageSize, kImageSize));
    const stages::EvalSequence sequence = goal_beside_plans(start, goal.image, futures, report.result);
    std::vector<fs::path> pictures;
    for (auto& w : writers) {
      w->begin({dir, "plan"});
      w->sequence(sequence);
      w->end({}, {});
      for (const auto& f : w->files()) pictures.push_back(f.lexically_relative(dir));
    }
    files.insert(files.end(), pictures.begin(), pictures.end());
    report.n_past = setup.n_past;
    report.horizon = setup.horizon;
    write_file_atomically(dir / "index.html", plan_page(report, dir, pictures));
    files.push_back("index.html");
    return files;
  });
  report.out = args.out;
  report.n_past = setup.n_past;
  report.horizon = setup.horizon;
  report.candidates = report.result.candidates;
  report.seconds = watch.seconds();
  return report;
}

}  // namespace vidpred
