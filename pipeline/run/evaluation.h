#pragma once
// `vidpred eval`: the run's model generates on a split (n_past observed
// frames, eval.horizon predicted ones, eval.samples futures per sequence);
// metric stages score every frame; baselines are scored beside it; writer
// stages turn the results into files. It streams: one sample of one batch at
// a time, scores straight into metrics.csv and running sums, so that memory
// depends on neither eval.samples nor the number of sequences.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/config/registry.h"
#include "pipeline/core/cancel.h"

namespace vidpred {

struct EvalArgs {
  std::filesystem::path run_dir;
  std::string checkpoint = "best";         // best, last, or a path
  std::filesystem::path config;            // optional: tables that replace the run's (eval, outputs, ...)
  std::vector<std::string> overrides;
  bool progress = true;
};

struct MetricSummary {
  std::string name;
  bool higher_is_better = true;
  // Mean over the sequences' predicted frames that the metric scored, per
  // predictor (NaN when it scored none): "model best",
  // "model mean", "model worst", then each baseline by name.
  std::map<std::string, double> mean;
  // The same per predicted frame (EvalReport::frames); NaN where the metric
  // scored no frame.
  std::map<std::string, std::vector<double>> per_step;
};

struct EvalReport {
  std::filesystem::path checkpoint, out_dir;
  std::string split;
  int64_t sequences = 0, samples = 1, n_past = 0, horizon = 0;
  std::vector<std::string> predictors;  // column order of the table
  std::vector<MetricSummary> metrics;   // the first ranks the samples
  std::vector<std::filesystem::path> files;
  double seconds = 0;

  // The one numbering of frames in every output (CSV, summary, plots, grids,
  // GIFs): a sequence's frames count from 1, so with 2 observed frames the
  // first predicted one is frame 3.
  int64_t first_predicted_frame() const { return n_past + 1; }
  std::vector<int64_t> frames() const;  // the predicted frames' numbers

  std::string table() const;  // the terminal table
  std::string json() const;   // eval/summary.json
};

EvalReport evaluate(const EvalArgs& args, const Registry& registry, const CancelToken& cancel);

}  // namespace vidpred
