#include "pipeline/run/control.h"

#include <algorithm>
#include <array>
#include <memory>
#include <numeric>
#include <optional>

#include <fmt/format.h>
#include <torch/torch.h>

#include "converters/synth/tasks.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/core/text.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/frames.h"
#include "pipeline/run/model_dynamics.h"
#include "pipeline/run/output_folder.h"
#include "pipeline/run/planning.h"
#include "pipeline/run/prediction.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/world_dynamics.h"
#include "stages/writers/html_page.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

synth::TaskKind task_kind(const std::string& name) {
  try {
    return synth::parse_task_kind(name);
  } catch (const std::invalid_argument&) {
    throw Error(fmt::format("--task {}: choose reach or push", name));
  }
}

// Everything an episode did: frame t is the world after t actions; action t
// moved it from frame t to t + 1; predicted[t] is what the plan being
// executed expected frame t + 1 to look like.
struct EpisodeLog {
  std::vector<std::vector<uint8_t>> frames;
  std::vector<std::array<float, 3>> positions;  // the end-effector at frame t
  std::vector<std::array<float, 4>> actions;
  std::vector<at::Tensor> predicted;            // (3, H, W), undefined without a model of the world
  std::vector<int64_t> decision;                // which decision chose action t
  std::vector<float> distance;                  // the task's distance at frame t

  void record(const synth::Environment& world, const synth::Task& task) {
    frames.push_back(world.frame());
    const auto& p = world.state().gripper.pos;
    positions.push_back({p.x, p.y, p.z});
    distance.push_back(task.distance(world.state()));
  }
};

// The last n_past frames as the model sees them; before the episode's start,
// its first frame again, with the gripper still and open.
ModelStart recent(const EpisodeLog& log, int64_t n_past, int size) {
  const int64_t last = int64_t(log.frames.size()) - 1;
  std::vector<uint8_t> rgb;
  std::vector<float> actions, positions;
  for (int64_t j = 0; j < n_past; ++j) {
    const int64_t t = std::max<int64_t>(last - (n_past - 1) + j, 0);
    const bool before_start = last - (n_past - 1) + j < 0;
    rgb.insert(rgb.end(), log.frames[size_t(t)].begin(), log.frames[size_t(t)].end());
    // The last frame's action is the one being planned: its row is never read.
    const bool planned = j == n_past - 1;
    const std::array<float, 4> action =
        before_start || planned ? std::array<float, 4>{0, 0, 0, -1} : log.actions[size_t(t)];
    actions.insert(actions.end(), action.begin(), action.end());
    positions.insert(positions.end(), log.positions[size_t(t)].begin(), log.positions[size_t(t)].end());
  }
  return model_start(rgb.data(), actions, positions, n_past, size);
}

struct Decision {
  at::Tensor actions;    // (H, 4)
  at::Tensor predicted;  // (H, 3, H, W) or undefined
  int64_t futures = 0;
};

// Chooses actions with the run's planner and the chosen dynamics.
class Controller {
 public:
  Controller(const ControlArgs& args, const Config& config, const Registry& registry)
      : kind_(args.dynamics), setup_(planning_setup(config, registry)), seed_(args.seed) {
    if (kind_ == "model") {
      check_conditioned(config);
      checkpoint_ = choose_checkpoint(args.run_dir, args.checkpoint);
      model_.emplace(load_trained_model(config, registry, checkpoint_));
    }
  }

  Decision decide(const synth::Environment& world, const EpisodeLog& log, const stages::Goal& goal, uint64_t key,
                  const CancelToken& cancel) {
    if (kind_ == "random") {
      return {setup_.planner->draw_initial(setup_.request(seed_, key), 1)[0], {}, 0};
    }
    std::unique_ptr<Dynamics> dynamics;
    if (kind_ == "world") {
      dynamics = std::make_unique<WorldDynamics>(world);
    } else {
      dynamics = std::make_unique<ModelDynamics>(model_->model, model_->device, recent(log, setup_.n_past, world.size()),
                                                 *setup_.kinematics, setup_.futures, seed_, key);
    }
    stages::PlanResult result = plan_toward(setup_, *dynamics, goal, seed_, key, cancel);
    at::Tensor predicted = dynamics->rollout(result.actions.unsqueeze(0))[0][0];
    return {result.actions, predicted, result.candidates * (kind_ == "model" ? setup_.futures : 1)};
  }

  const PlanningSetup& setup() const { return setup_; }
  const fs::path& checkpoint() const { return checkpoint_; }

 private:
  std::string kind_;
  PlanningSetup setup_;
  uint64_t seed_;
  fs::path checkpoint_;
  std::optional<TrainedModel> model_;
};

EpisodeOutcome run_episode(Controller& controller, const synth::Task& task, int64_t episode, EpisodeLog& log,
                           const CancelToken& cancel) {
  synth::Environment world = task.start;
  const int size = world.size();
  const stages::Goal goal{frames_tensor(task.goal_image.data(), 1, size, size)[0]};
  const int64_t budget = synth::step_budget(task.kind), execute = controller.setup().execute;
  log.record(world, task);
  EpisodeOutcome outcome;
  outcome.episode = episode;
  outcome.start_distance = log.distance.front();
  while (int64_t(log.actions.size()) < budget) {
    cancel.throw_if_cancelled();
    const Stopwatch watch;
    const Decision d =
        controller.decide(world, log, goal, (uint64_t(episode) << 20) | uint64_t(outcome.decisions), cancel);
    outcome.planning_seconds += watch.seconds();
    outcome.futures += d.futures;
    const int64_t steps = std::min(execute, budget - int64_t(log.actions.size()));
    for (int64_t k = 0; k < steps; ++k) {
      const at::Tensor a = d.actions[k].contiguous();
      const std::array<float, 4> action{a[0].item<float>(), a[1].item<float>(), a[2].item<float>(), a[3].item<float>()};
      world.step(action);
      log.actions.push_back(action);
      log.predicted.push_back(d.predicted.defined() ? d.predicted[k] : at::Tensor());
      log.decision.push_back(outcome.decisions);
      log.record(world, task);
    }
    ++outcome.decisions;
  }
  outcome.final_distance = task.distance(world.state());
  outcome.success = task.success(world.state());
  return outcome;
}

std::string episode_csv(const EpisodeLog& log) {
  std::string csv = "frame,decision,dx,dy,dz,gripper,x,y,z,distance\n";
  for (size_t t = 0; t < log.frames.size(); ++t) {
    const bool acted = t < log.actions.size();
    const std::array<float, 4> a = acted ? log.actions[t] : std::array<float, 4>{};
    const auto& p = log.positions[t];
    csv += fmt::format("{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", t + 1,
                       acted ? fmt::format("{}", log.decision[t] + 1) : "", a[0], a[1], a[2], a[3], p[0], p[1], p[2],
                       log.distance[t]);
  }
  return csv;
}

// The executed frames; the goal beside every one; what the plans predicted
// each executed frame to be (the start frame where nothing was predicted).
stages::EvalSequence episode_picture(const EpisodeLog& log, const synth::Task& task, int64_t episode) {
  const int size = task.start.size();
  const int64_t T = int64_t(log.frames.size());
  std::vector<uint8_t> executed, goal, predicted;
  for (int64_t t = 0; t < T; ++t) {
    executed.insert(executed.end(), log.frames[size_t(t)].begin(), log.frames[size_t(t)].end());
    goal.insert(goal.end(), task.goal_image.begin(), task.goal_image.end());
  }
  stages::EvalSequence sequence;
  sequence.index = episode;
  sequence.n_past = 1;
  sequence.truth = {int(T), size, size, executed};
  sequence.truth_label = "executed";
  sequence.predictions.push_back({int(T), size, size, goal});
  sequence.labels.push_back("goal");
  if (log.predicted.empty() || !log.predicted.front().defined()) return sequence;
  std::vector<at::Tensor> frames{frames_tensor(log.frames.front().data(), 1, size, size)[0]};
  frames.insert(frames.end(), log.predicted.begin(), log.predicted.end());
  sequence.predictions.push_back(to_video(torch::stack(frames)));
  sequence.labels.push_back("predicted");
  return sequence;
}

}  // namespace

double ControlReport::success_rate() const {
  if (episodes.empty()) return 0;
  const auto wins = std::count_if(episodes.begin(), episodes.end(), [](const EpisodeOutcome& e) { return e.success; });
  return double(wins) / double(episodes.size());
}

double ControlReport::mean_distance() const {
  double sum = 0;
  for (const auto& e : episodes) sum += e.final_distance;
  return episodes.empty() ? 0 : sum / double(episodes.size());
}

double ControlReport::median_distance() const {
  std::vector<double> d;
  for (const auto& e : episodes) d.push_back(e.final_distance);
  if (d.empty()) return 0;
  std::sort(d.begin(), d.end());
  return d.size() % 2 ? d[d.size() / 2] : (d[d.size() / 2 - 1] + d[d.size() / 2]) / 2;
}

double ControlReport::seconds_per_decision() const {
  double seconds = 0;
  int64_t decisions = 0;
  for (const auto& e : episodes) {
    seconds += e.planning_seconds;
    decisions += e.decisions;
  }
  return decisions ? seconds / double(decisions) : 0;
}

double ControlReport::futures_per_second() const {
  double seconds = 0, futures = 0;
  for (const auto& e : episodes) {
    seconds += e.planning_seconds;
    futures += double(e.futures);
  }
  return seconds > 0 ? futures / seconds : 0;
}

std::string ControlReport::table() const {
  const std::string column = fmt::format("{} / {}", task, dynamics);
  std::string t = fmt::format("{:<24} {:>14}\n", "", column);
  t += fmt::format("{:<24} {:>13.1f}%\n", "success rate", 100 * success_rate());
  t += fmt::format("{:<24} {:>14.4f}\n", "final distance, mean", mean_distance());
  t += fmt::format("{:<24} {:>14.4f}\n", "final distance, median", median_distance());
  t += fmt::format("{:<24} {:>14.3f}\n", "seconds per decision", seconds_per_decision());
  t += fmt::format("{:<24} {:>14.0f}\n", "futures per second", futures_per_second());
  return t;
}

std::string ControlReport::json() const {
  std::string episodes_json;
  for (const auto& e : episodes) {
    episodes_json += fmt::format(
        "{}\n    {{\"episode\": {}, \"success\": {}, \"start_distance\": {:.6g}, \"final_distance\": {:.6g}, "
        "\"decisions\": {}, \"futures\": {}, \"planning_seconds\": {:.6g}}}",
        episodes_json.empty() ? "" : ",", e.episode, e.success ? "true" : "false", e.start_distance,
        e.final_distance, e.decisions, e.futures, e.planning_seconds);
  }
  return fmt::format(
      "{{\n  \"task\": \"{}\",\n  \"dynamics\": \"{}\",\n  \"episodes\": {},\n  \"success_rate\": {:.6g},\n"
      "  \"mean_final_distance\": {:.6g},\n  \"median_final_distance\": {:.6g},\n  \"seconds_per_decision\": {:.6g},\n"
      "  \"futures_per_second\": {:.6g},\n  \"per_episode\": [{}\n  ]\n}}\n",
      task, dynamics, episodes.size(), success_rate(), mean_distance(), median_distance(), seconds_per_decision(),
      futures_per_second(), episodes_json);
}

namespace {

std::string summary_csv(const ControlReport& report) {
  std::string csv = "episode,success,start_distance,final_distance,decisions,futures,planning_seconds\n";
  for (const auto& e : report.episodes) {
    csv += fmt::format("{},{},{:.9g},{:.9g},{},{},{:.6g}\n", e.episode, e.success ? 1 : 0, e.start_distance,
                       e.final_distance, e.decisions, e.futures, e.planning_seconds);
  }
  return csv;
}

// index.html: the summary, then each episode's GIF (the executed frames, the
// goal, what the plans predicted) beside its outcome. Only GIFs the writers
// wrote are shown, so the page has no broken picture.
std::string control_page(const ControlReport& report, const fs::path& dir, const std::vector<fs::path>& files) {
  namespace html = stages::html;
  html::Page page(fmt::format("vidpred control: {} / {}", report.task, report.dynamics));
  page.facts({{"task", report.task},
              {"dynamics", report.dynamics},
              {"checkpoint", report.checkpoint.empty() ? "none" : report.checkpoint.filename().string()},
              {"episodes", std::to_string(report.episodes.size())},
              {"page made", html::local_time_now()}});
  html::Table summary;
  summary.header = {"success rate", "final distance, mean", "median", "seconds per decision", "futures per second"};
  summary.numeric = {0, 1, 2, 3, 4};
  summary.rows.push_back({fmt::format("{:.1f}%", 100 * report.success_rate()), fmt::format("{:.4f}", report.mean_distance()),
                          fmt::format("{:.4f}", report.median_distance()),
                          fmt::format("{:.3f}", report.seconds_per_decision()),
                          fmt::format("{:.0f}", report.futures_per_second())});
  page.section("Summary").table(summary);
  page.section("Episodes");
  for (const auto& e : report.episodes) {
    const fs::path gif = fs::path("gif") / fmt::format("seq_{}.gif", e.episode);
    if (std::find(files.begin(), files.end(), gif) == files.end()) continue;
    html::Table outcome;
    outcome.header = {"outcome", ""};
    outcome.numeric = {1};
    outcome.rows = {{"success", e.success ? "yes" : "no"},
                    {"start distance", fmt::format("{:.4f}", e.start_distance)},
                    {"final distance", fmt::format("{:.4f}", e.final_distance)},
                    {"decisions", std::to_string(e.decisions)}};
    page.row(fmt::format("episode {}", e.episode),
             {{html::relative_url(dir / gif, dir), "executed frames, the goal, the plans' predictions", true, 0}},
             outcome);
  }
  return page.html();
}

fs::path default_out(const ControlArgs& args) {
  return args.out.empty() ? args.run_dir / "control" / fmt::format("{}-{}", args.task, args.dynamics) : args.out;
}

}  // namespace

ControlReport control(const ControlArgs& args, const Registry& registry, const CancelToken& cancel) {
  const Stopwatch watch;
  if (args.episodes < 1) throw Error(fmt::format("--episodes {}: play at least one", args.episodes));
  const synth::TaskKind kind = task_kind(args.task);
  // Before anything is read: planning_setup may scan train.h5 for the bounds.
  if (args.dynamics != "model" && args.dynamics != "world" && args.dynamics != "random") {
    throw Error(fmt::format("--dynamics {}: choose model, world or random{}", args.dynamics,
                            did_you_mean(args.dynamics, {"model", "world", "random"})));
  }
  const OutputFolder folder{default_out(args), "control", "an earlier control run", args.force};
  folder.check();
  Config config = load_run_directory_config(args.run_dir, {}, args.overrides, registry);
  Controller controller(args, config, registry);
  auto writers = picture_writers(args.run_dir, registry, 2, args.episodes);
  ControlReport report;
  report.task = args.task;
  report.dynamics = args.dynamics;
  report.out = folder.out;
  report.checkpoint = controller.checkpoint();
  report.files = folder.write([&](const fs::path& dir) {
    std::vector<fs::path> files;
    for (auto& w : writers) w->begin({dir, "control"});
    ProgressBar bar(fmt::format("control {} / {}", args.task, args.dynamics), uint64_t(args.episodes), "episode", 0,
                    args.progress);
    for (int64_t e = 0; e < args.episodes; ++e) {
      const synth::Task task = synth::make_task(kind, args.seed, uint64_t(e));
      EpisodeLog log;
      report.episodes.push_back(run_episode(controller, task, e, log, cancel));
      const fs::path csv = fs::path("episodes") / fmt::format("episode_{}.csv", e);
      fs::create_directories(dir / "episodes");
      write_file_atomically(dir / csv, episode_csv(log));
      files.push_back(csv);
      for (auto& w : writers) w->sequence(episode_picture(log, task, e));
      bar.set_status(fmt::format("success {:.0f}%", 100 * report.success_rate()));
      bar.advance(1);
    }
    bar.finish();
    for (auto& w : writers) {
      w->end({}, {});
      for (const auto& f : w->files()) files.push_back(f.lexically_relative(dir));
    }
    write_file_atomically(dir / "summary.csv", summary_csv(report));
    write_file_atomically(dir / "summary.json", report.json());
    write_file_atomically(dir / "index.html", control_page(report, dir, files));
    files.insert(files.end(), {"summary.csv", "summary.json", "index.html"});
    return files;
  });
  report.seconds = watch.seconds();
  return report;
}

}  // namespace vidpred
