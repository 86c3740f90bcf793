// Commands that take a run file or a run directory: config show, stages, model, train, eval, predict, plan, control.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/cli/commands.h"
#include "pipeline/cli/dist_options.h"
#include "pipeline/config/config.h"
#include "pipeline/core/text.h"
#include "pipeline/run/evaluation.h"
#include "pipeline/run/control.h"
#include "pipeline/run/export.h"
#include "pipeline/run/plan.h"
#include "pipeline/run/prediction.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"
#include "pipeline/run/training.h"
#include "stages/register.h"

namespace vidpred::cli {
namespace fs = std::filesystem;

namespace {

struct RunFileArgs {
  fs::path file;
  std::vector<std::string> overrides;
};

void add_run_file(CLI::App* cmd, RunFileArgs& args) {
  cmd->add_option("run", args.file, "Run file (TOML), e.g. configs/bair.toml")->required();
  cmd->add_option("--set", args.overrides, "Override a key: --set train.epochs=3 (repeatable)")->take_all();
}

std::string describe_key(const KeySpec& k) {
  std::string value;
  if (k.required) {
    value = "(required)";
  } else if (k.type == KeyType::table) {
    value = "(table)";
  } else if (auto* node = k.default_value.get(0)) {
    std::ostringstream os;
    if (node->is_table()) {
      os << "type = " << node->as_table()->get("type")->value<std::string>().value_or("");
    } else if (node->is_array() && k.type == KeyType::stage_list) {
      std::vector<std::string> types;
      for (const auto& t : *node->as_array()) types.push_back(t.as_table()->get("type")->value<std::string>().value());
      os << fmt::format("[{}]", fmt::join(types, ", "));
    } else {
      os << format_value(*node);
    }
    value = os.str();
  }
  std::string range;
  if (k.range.min && k.range.max) {
    range = fmt::format(" (in [{}, {}])", *k.range.min, *k.range.max);
  } else if (k.range.min) {
    range = fmt::format(" (>= {})", *k.range.min);
  } else if (k.range.max) {
    range = fmt::format(" (<= {})", *k.range.max);
  }
  if (!k.choices.empty()) range = fmt::format(" (one of {})", fmt::join(k.choices, "|"));
  return fmt::format("    {:<20} {:<16} {:<14} {}{}", k.name, key_type_name(k.type), value, k.doc, range);
}

void add_config(CLI::App& app) {
  auto* config = app.add_subcommand("config", "Inspect run files");
  config->require_subcommand(1);
  auto args = std::make_shared<RunFileArgs>();
  auto* show = config->add_subcommand("show", "Print the fully resolved run file (defaults filled in) as TOML");
  add_run_file(show, *args);
  show->callback([args] {
    Registry registry = stages::make_registry();
    Config c = Config::load(args->file, args->overrides, run_schema(), registry);
    fmt::print("# {} resolved by vidpred\n{}", args->file.string(), c.to_toml(run_schema(), registry));
  });
}

void add_stages(CLI::App& app) {
  auto kind = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("stages", "List registered stages with their keys, defaults and descriptions");
  cmd->add_option("kind", *kind, "Only this kind (data, augmenter, annealer, ...)");
  cmd->callback([kind] {
    Registry registry = stages::make_registry();
    auto kinds = registry.kinds();
    if (!kind->empty() && std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
      throw Error(fmt::format("unknown stage kind '{}'{}; kinds: {}", *kind, did_you_mean(*kind, kinds),
                              fmt::join(kinds, ", ")));
    }
    for (const auto& k : kinds) {
      if (!kind->empty() && k != *kind) continue;
      fmt::print("{}: {}\n", k, registry.kind_doc(k));
      for (const auto& name : registry.names(k)) {
        const StageInfo* info = registry.find(k, name);
        fmt::print("  {:<18} {}\n", name, info->summary);
        for (const auto& key : info->schema.keys()) fmt::print("{}\n", describe_key(key));
      }
      fmt::print("\n");
    }
  });
}

void add_model(CLI::App& app) {
  auto args = std::make_shared<RunFileArgs>();
  auto* cmd = app.add_subcommand("model", "Print the model's module tree with parameter counts");
  add_run_file(cmd, *args);
  cmd->callback([args] {
    Registry registry = stages::make_registry();
    Config c = Config::load(args->file, args->overrides, run_schema(), registry);
    fmt::print("{}", describe_model(build_model(c, registry)));
  });
}

void add_train(CLI::App& app, const CancelToken& cancel) {
  auto args = std::make_shared<TrainArgs>();
  auto dist_args = std::make_shared<DistArgs>();
  auto* cmd = app.add_subcommand("train", "Train a model: vidpred train RUN.toml, or vidpred train --resume RUN_DIR");
  cmd->add_option("run", args->run_file, "Run file (TOML)");
  cmd->add_option("--resume", args->resume_dir, "Continue the run in this directory from its last.pt");
  cmd->add_option("--set", args->overrides, "Override a key: --set train.epochs=3 (repeatable)")->take_all();
  cmd->add_flag("--force", args->force, "Start over in a run directory that already holds a run");
  cmd->add_option("--stop-after-epoch", args->stop_after_epoch,
                  "Stop cleanly after epoch N of the run's schedule (last.pt written); --resume continues it")
      ->check(CLI::PositiveNumber);
  add_dist_options(cmd, *dist_args);
  // Tests of data-parallel runs: every rank prints its shards and a checksum of its weights.
  cmd->add_flag("--debug-dist", args->debug_dist)->group("");
  cmd->callback([args, dist_args, &cancel] {
    if (args->run_file.empty() == args->resume_dir.empty()) {
      throw Error("give either a run file or --resume RUN_DIR");
    }
    if (args->force && !args->resume_dir.empty()) {
      throw Error("--force starts a run over and --resume continues one: give one of them");
    }
    if (dist_args->launches()) {
      // This process only supervises; its workers run this same command line.
      dist::launch_workers(dist_args->launch(), cancel);
      return;
    }
    args->dist_timeout = dist::parse_timeout(dist_args->timeout_seconds);
    args->sync = dist_args->sync();
    Registry registry = stages::make_registry();
    TrainReport report = train(*args, registry, cancel);
    if (report.rank != 0) return;  // rank 0 reports for the run
    if (report.nothing_to_train) {
      const std::string dir = report.run_dir.string();
      fmt::print("'{}' has trained all its {} epochs: nothing left to train, nothing changed (train it longer with "
                 "--resume {} --set train.epochs=N)\n",
                 dir, report.epochs_done, dir);
      return;
    }
    fmt::print("trained {} epochs -> {} (config.toml, train_log.csv, last.pt{})\n", report.epochs_done,
               report.run_dir.string(), report.best_psnr ? ", best.pt" : "");
    if (report.epochs_done < report.epochs) {
      fmt::print("stopped after epoch {} of {} as asked: vidpred train --resume {} continues it\n",
                 report.epochs_done, report.epochs, report.run_dir.string());
    }
    if (report.best_psnr) fmt::print("best validation PSNR {:.2f} dB\n", *report.best_psnr);
    for (const auto& f : report.files) fmt::print("  wrote {}\n", f.string());
  });
}

void add_eval(CLI::App& app, const CancelToken& cancel) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a trained run: metrics, baselines, GIFs, grids, plots");
  cmd->add_option("run_dir", args->run_dir, "Run directory written by vidpred train")->required();
  cmd->add_option("--checkpoint", args->checkpoint, "best, last, or a checkpoint file")->capture_default_str();
  cmd->add_option("--config", args->config,
                  "TOML merged over the run's: its keys replace the run's keys, its stage lists ([[eval.metrics]], "
                  "[[outputs]]) replace whole lists");
  cmd->add_option("--set", args->overrides, "Override a key: --set eval.samples=10 (repeatable)")->take_all();
  cmd->callback([args, &cancel] {
    Registry registry = stages::make_registry();
    EvalReport report = evaluate(*args, registry, cancel);
    // Frames numbered as in every eval output.
    auto frames = [](int64_t first, int64_t last) {
      return first == last ? fmt::format("frame {}", first) : fmt::format("frames {}-{}", first, last);
    };
    const int64_t first_predicted = report.first_predicted_frame();
    fmt::print("evaluated {} sequences of {} ({} sample{} each; {} observed, {} predicted) with {} in {:.1f} s\n",
               report.sequences, report.split, report.samples, report.samples > 1 ? "s" : "",
               frames(1, first_predicted - 1), frames(first_predicted, first_predicted + report.horizon - 1),
               report.checkpoint.string(), report.seconds);
    fmt::print("{}", report.table());
    for (const auto& f : report.files) fmt::print("  wrote {}\n", f.string());
  });
}

// The run, its checkpoint and the start, as predict and plan read them.
void add_start_options(CLI::App* cmd, PredictArgs& args, const std::string& rows) {
  cmd->add_option("run_dir", args.run_dir, "Run directory written by vidpred train")->required();
  cmd->add_option("--checkpoint", args.checkpoint, "best, last, or a checkpoint file")->capture_default_str();
  auto* frames = cmd->add_option("--frames", args.frames_dir,
                                 "Start folder: 0.png, 1.png, ... (n_past frames at least, 64x64 RGB) with "
                                 "actions.csv and endeffector_positions.csv, " + rows);
  auto* from = cmd->add_option("--from", args.split_file, "Start from a stored trajectory of this .h5 split");
  auto* index = cmd->add_option("--index", args.index, "Which trajectory of --from (0-based)");
  from->excludes(frames)->needs(index);
  index->needs(from);
}

void add_predict(CLI::App& app, const CancelToken& cancel) {
  auto args = std::make_shared<PredictArgs>();
  auto seed = std::make_shared<uint64_t>(0);
  auto* cmd = app.add_subcommand(
      "predict", "Predict from your own start frames and action plans: GIF, grid and PNG frames side by side");
  add_start_options(cmd, *args,
                    "one row per frame to predict (with 4-value --actions plans, positions for the observed frames "
                    "suffice)");
  cmd->add_option("--actions", args->action_files,
                  "A plan: CSV, values separated by commas, one row per frame, observed frames included "
                  "(repeatable: plans side by side); default the start's own actions. 4 values a row (dx, dy, dz, gripper): the end-effector "
                  "positions are the start's for the observed frames, then follow from the last observed one by "
                  "the plan's actions, as the run's [kinematics] stage has it (default integrate: clamp(position "
                  "+ action) within the synthetic world's bounds); 7 values a row: the actions, then the positions")
      ->take_all();
  cmd->add_option("--samples", args->samples, "Futures per plan")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--horizon", args->horizon, "Frames to predict [default: the run's train.n_future]")
      ->check(CLI::Range(1, 100000));
  auto* seed_option = cmd->add_option("--seed", *seed, "Noise seed [default: the run's run.seed]");
  cmd->add_option("--out", args->out, "Output folder (written whole, or not at all)")->required();
  cmd->add_flag("--force", args->force, "Replace an earlier prediction in --out");
  cmd->callback([args, seed, seed_option, &cancel] {
    if (seed_option->count() > 0) args->seed = *seed;
    Registry registry = stages::make_registry();
    PredictReport report = predict(*args, registry, cancel);
    fmt::print("predicted {} plan{} x {} sample{} ({} observed + {} predicted frames) with {} in {:.1f} s\n",
               report.plans.size(), report.plans.size() > 1 ? "s" : "", report.samples, report.samples > 1 ? "s" : "",
               report.n_past, report.horizon, report.checkpoint.string(), report.seconds);
    for (size_t p = 0; p < report.plans.size(); ++p) {
      const auto& plan = report.plans[p];
      fmt::print("  plan {}: {}\n", p + 1, plan.file.empty() ? plan.name : plan.file.string());
    }
    for (const auto& f : report.files) fmt::print("  wrote {}\n", f.string());
  });
}

void add_plan(CLI::App& app, const CancelToken& cancel) {
  auto args = std::make_shared<PlanArgs>();
  auto seed = std::make_shared<uint64_t>(0);
  auto* cmd = app.add_subcommand(
      "plan", "Plan actions from your own start toward a goal image with a trained run (open loop, visual MPC)");
  add_start_options(cmd, args->start, "one row per observed frame at least");
  cmd->add_option("--goal", args->goal, "A 64x64 picture of the wanted end (PNG or JPEG)")->required();
  cmd->add_option("--set", args->overrides, "Override a run key: planner.samples=400, cost.frames=all, ...")
      ->take_all();
  auto* seed_option = cmd->add_option("--seed", *seed, "Seed of the planner's draws and the model's noise "
                                                         "[default: the run's run.seed]");
  cmd->add_option("--out", args->out, "Output folder (written whole, or not at all)")->required();
  cmd->add_flag("--force", args->force, "Replace an earlier plan in --out");
  cmd->callback([args, seed, seed_option, &cancel] {
    if (seed_option->count() > 0) args->seed = *seed;
    Registry registry = stages::make_registry();
    PlanReport report = plan(*args, registry, cancel);
    fmt::print("planned {} actions ({} observed frames, {} candidates scored) with {} in {:.1f} s: cost {:.5f}\n",
               report.horizon, report.n_past, report.candidates, report.checkpoint.string(), report.seconds,
               report.result.cost());
    for (size_t i = 0; i < report.result.iterations.size(); ++i) {
      const auto& c = report.result.iterations[i];
      fmt::print("  iteration {}: best {:.5f}, elites {:.5f}, mean {:.5f}\n", i + 1, c.best, c.elite_mean, c.mean);
    }
    for (const auto& f : report.files) fmt::print("  wrote {}\n", f.string());
  });
}

void add_control(CLI::App& app, const CancelToken& cancel) {
  auto args = std::make_shared<ControlArgs>();
  auto* cmd = app.add_subcommand(
      "control", "Model-predictive control in the synthetic world: plan, act, observe, plan again (reach, push)");
  cmd->add_option("run_dir", args->run_dir, "Run directory written by vidpred train")->required();
  cmd->add_option("--checkpoint", args->checkpoint, "best, last, or a checkpoint file")->capture_default_str();
  cmd->add_option("--task", args->task, "reach (the gripper over a spot) or push (an object onto a spot)")
      ->capture_default_str();
  cmd->add_option("--episodes", args->episodes, "Episodes to play")->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--dynamics", args->dynamics,
                  "What predicts the candidates' frames: model (the run's), world (the true world: the upper bound), "
                  "random (nothing: draws from the planner's first distribution, the lower bound)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Fixes the episodes (starts and goals), the planner's draws and the noise")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Output folder [default: RUN_DIR/control/TASK-DYNAMICS]");
  cmd->add_option("--set", args->overrides, "Override a run key: planner.samples=400, planning.execute=2, ...")
      ->take_all();
  cmd->add_flag("--force", args->force, "Replace an earlier control run in the output folder");
  cmd->callback([args, &cancel] {
    args->progress = true;
    Registry registry = stages::make_registry();
    ControlReport report = control(*args, registry, cancel);
    fmt::print("played {} {} episodes with {} dynamics{} in {:.1f} s\n", report.episodes.size(), report.task,
               report.dynamics, report.checkpoint.empty() ? "" : fmt::format(" ({})", report.checkpoint.string()),
               report.seconds);
    fmt::print("{}", report.table());
    for (const auto& f : report.files) fmt::print("  wrote {}\n", f.string());
  });
}

void add_export(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export", "A trained run as a folder to ship: config, weights without optimizer state, training log, plots");
  cmd->add_option("run_dir", args->run_dir, "Run directory written by vidpred train")->required();
  cmd->add_option("--checkpoint", args->checkpoint, "best, last, or a checkpoint file")->capture_default_str();
  cmd->add_option("--out", args->out, "The folder to write (a run directory eval, predict and plan take)")
      ->required();
  cmd->add_flag("--half", args->half, "Store the parameters as float16: half the size");
  cmd->add_option("--set", args->overrides, "Override a key of the exported config: --set data.root=data/h5")
      ->take_all();
  cmd->add_flag("--force", args->force, "Replace an earlier export in --out");
  cmd->callback([args] {
    Registry registry = stages::make_registry();
    const ExportReport report = export_run(*args, registry);
    fmt::print("exported {} parameters ({}) to {}: weights {:.1f} MB\n", report.parameters,
               args->half ? "float16" : "float32", args->out.string(), double(report.weight_bytes) / 1e6);
    for (const auto& f : report.files) fmt::print("  wrote {}\n", f.string());
  });
}

}  // namespace

void add_run_commands(CLI::App& app, const CancelToken& cancel) {
  add_config(app);
  add_stages(app);
  add_model(app);
  add_train(app, cancel);
  add_eval(app, cancel);
  add_predict(app, cancel);
  add_plan(app, cancel);
  add_control(app, cancel);
  add_export(app);
}

}  // namespace vidpred::cli
