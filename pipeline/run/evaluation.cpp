#include "pipeline/run/evaluation.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "pipeline/config/config.h"
#include "pipeline/core/directory_lock.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/eval_files.h"
#include "pipeline/run/frames.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_files.h"
#include "pipeline/run/run_schema.h"
#include "pipeline/run/sample_scores.h"
#include "stages/metrics/metric.h"
#include "stages/predictors/predictor.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

const char* const kBest = "model best";
const char* const kMean = "model mean";
const char* const kWorst = "model worst";
const char* const kModel = "model";  // the model's rows in metrics.csv, and its one curve when it draws one sample

// JSON has no NaN: a mean over no scored frame is null.
std::string json_number(double v) { return std::isfinite(v) ? csv_number(v) : "null"; }

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", int(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string json_list(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double x : values) parts.push_back(json_number(x));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

}  // namespace

std::vector<int64_t> EvalReport::frames() const {
  std::vector<int64_t> out;
  for (int64_t t = 0; t < horizon; ++t) out.push_back(first_predicted_frame() + t);
  return out;
}

std::string EvalReport::table() const {
  std::string out = fmt::format("{:<11}", "metric");
  for (const auto& p : predictors) out += fmt::format(" {:>12}", p);
  out += "\n";
  for (const auto& m : metrics) {
    out += fmt::format("{:<11}", m.name);
    for (const auto& p : predictors) out += fmt::format(" {:>12.4f}", m.mean.at(p));
    out += "\n";
  }
  return out;
}

// Written by hand, not by toml++'s JSON formatter: that one sorts keys (the
// metrics' order is the config's, whose first ranks the samples; the model
// comes before the baselines) and has no null for a mean over no frame.
std::string EvalReport::json() const {
  std::vector<double> frame_numbers;
  for (int64_t f : frames()) frame_numbers.push_back(double(f));
  std::string out = "{\n";
  out += fmt::format("  \"checkpoint\": {},\n  \"split\": {},\n", json_string(checkpoint.string()), json_string(split));
  out += fmt::format("  \"sequences\": {},\n  \"samples\": {},\n  \"n_past\": {},\n  \"horizon\": {},\n", sequences,
                     samples, n_past, horizon);
  out += fmt::format("  \"frames\": {},\n", json_list(frame_numbers));
  out += "  \"metrics\": {\n";
  for (size_t i = 0; i < metrics.size(); ++i) {
    const auto& m = metrics[i];
    out += fmt::format("    \"{}\": {{\n      \"higher_is_better\": {},\n      \"mean\": {{", m.name,
                       m.higher_is_better ? "true" : "false");
    std::vector<std::string> means, curves;
    for (const auto& p : predictors) {
      means.push_back(fmt::format("\"{}\": {}", p, json_number(m.mean.at(p))));
      curves.push_back(fmt::format("\"{}\": {}", p, json_list(m.per_step.at(p))));
    }
    out += fmt::format("{}}},\n      \"per_step\": {{{}}}\n    }}", fmt::join(means, ", "), fmt::join(curves, ", "));
    out += i + 1 < metrics.size() ? ",\n" : "\n";
  }
  out += "  }\n}\n";
  return out;
}

namespace {

// The frames writers will show of the visualized sequences of one batch: the
// first `shown` samples and the best one so far; the other samples' frames
// are dropped as soon as they are scored.
class KeptSamples {
 public:
  KeptSamples(int64_t sequences, int64_t shown) : sequences_(sequences), shown_(shown) {}

  // predicted: (B, horizon, C, H, W) of sample `sample`; became_best: (B,) bool.
  void add(int64_t sample, const at::Tensor& predicted, const at::Tensor& became_best) {
    if (sequences_ == 0) return;
    at::Tensor rows = predicted.narrow(0, 0, sequences_).clone();  // not a view: the batch's rows go
    if (sample < shown_) first_.push_back(rows);
    at::Tensor improved = became_best.narrow(0, 0, sequences_).view({sequences_, 1, 1, 1, 1});
    best_ = best_.defined() ? at::where(improved, rows, best_) : rows;
  }
  int64_t sequences() const { return sequences_; }
  const at::Tensor& best() const { return best_; }
  const std::vector<at::Tensor>& first() const { return first_; }

 private:
  int64_t sequences_, shown_;
  std::vector<at::Tensor> first_;  // per sample (sequences, horizon, C, H, W)
  at::Tensor best_;
};

// Samples count from 1 in every output: metrics.csv, and labels in grids and GIFs.
int64_t sample_number(int64_t index) { return index + 1; }

std::vector<double> row_of(const at::Tensor& scores, int64_t b) {
  at::Tensor row = scores[b].to(torch::kCPU, torch::kDouble).contiguous();
  return std::vector<double>(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
}

// A baseline's prediction and scores of the sequences writers show.
struct ShownBaseline {
  std::string name;
  at::Tensor predicted;            // (shown, horizon, C, H, W)
  std::vector<at::Tensor> scores;  // per metric (shown, horizon)
};

// Scores batches as they come and leaves in memory only what one batch needs:
// per-sequence results go to metrics.csv and into running totals at once.
class Evaluator {
 public:
  Evaluator(const Config& config, const Registry& registry, model::Cvae& model, EvalReport& report);
  void begin(const fs::path& run_dir);
  void add(const stages::Batch& batch, const CancelToken& cancel);
  void finish();

 private:
  std::vector<at::Tensor> score(const at::Tensor& prediction, const at::Tensor& truth,
                                const stages::MetricContext& context) const;
  void add_totals(const std::string& predictor, const std::vector<at::Tensor>& scores);
  std::vector<ShownBaseline> score_baselines(const stages::Batch& batch, const at::Tensor& truth,
                                             const stages::MetricContext& context, int64_t shown_sequences);
  void show(const stages::Batch& batch, const SampleRanking& ranking, const KeptSamples& kept,
            const std::vector<ShownBaseline>& baselines);
  std::vector<stages::Figure> summarize();

  model::Cvae& model_;
  EvalReport& report_;
  GenerationRequest generation_;
  int64_t visualize_, shown_ = 0;
  std::vector<std::unique_ptr<stages::Metric>> metrics_;
  std::vector<std::unique_ptr<stages::Predictor>> baselines_;
  std::vector<std::unique_ptr<stages::Writer>> writers_;
  std::map<std::string, std::vector<StepTotals>> totals_;  // per predictor, per metric
  std::optional<MetricsCsv> csv_;
};

Evaluator::Evaluator(const Config& config, const Registry& registry, model::Cvae& model, EvalReport& report)
    : model_(model), report_(report) {
  auto eval = config.section("eval");
  report_.split = eval.string("split");
  report_.samples = eval.integer("samples");
  report_.n_past = config.section("train").integer("n_past");
  report_.horizon = eval.integer("horizon") > 0 ? eval.integer("horizon") : config.section("train").integer("n_future");
  generation_.n_past = report_.n_past;
  generation_.horizon = report_.horizon;
  generation_.seed = uint64_t(config.section("run").integer("seed"));
  visualize_ = eval.integer("visualize");
  metrics_ = registry.create_all<stages::Metric>(eval.list("metrics"));
  baselines_ = registry.create_all<stages::Predictor>(eval.list("baselines"));
  writers_ = build_writers(config, registry);
  if (metrics_.empty()) eval.fail("metrics", "needs at least one metric");
  for (const auto& w : writers_) shown_ = std::max(shown_, w->predictions_shown());
  report_.predictors = {kBest, kMean, kWorst};
  for (const auto& b : baselines_) report_.predictors.push_back(b->name());
  for (const auto& p : report_.predictors) totals_[p].resize(metrics_.size());
}

// What a page says about this evaluation, beside its own figures.
std::vector<std::pair<std::string, std::string>> about_evaluation(const EvalReport& report, const fs::path& run_dir) {
  const fs::path checkpoint = fs::absolute(report.checkpoint).lexically_normal();
  const fs::path inside = checkpoint.lexically_relative(run_dir);
  const bool in_run = !inside.empty() && *inside.begin() != "..";
  return {{"run", run_dir.filename().string()},
          {"checkpoint", in_run ? inside.generic_string() : checkpoint.string()},
          {"split", report.split},
          {"futures per sequence", std::to_string(report.samples)},
          {"frames", fmt::format("{} observed, {} predicted (frames {} to {})", report.n_past, report.horizon,
                                 report.first_predicted_frame(), report.n_past + report.horizon)}};
}

void Evaluator::begin(const fs::path& run_dir) {
  const stages::WriterContext context{report_.out_dir, "eval", run_dir, about_evaluation(report_, run_dir)};
  for (auto& w : writers_) w->begin(context);
  std::vector<std::string> names;
  for (const auto& m : metrics_) names.push_back(m->name());
  csv_.emplace(report_.out_dir / "metrics.csv", names);
}

std::vector<at::Tensor> Evaluator::score(const at::Tensor& prediction, const at::Tensor& truth,
                                         const stages::MetricContext& context) const {
  std::vector<at::Tensor> out;
  for (const auto& m : metrics_) out.push_back(m->score(prediction, truth, context));
  return out;
}

void Evaluator::add_totals(const std::string& predictor, const std::vector<at::Tensor>& scores) {
  for (size_t k = 0; k < scores.size(); ++k) totals_.at(predictor)[k].add(scores[k]);
}

// One sample at a time, so that memory holds one sample of one batch
// whatever eval.samples is.
void Evaluator::add(const stages::Batch& batch, const CancelToken& cancel) {
  const int64_t B = batch.frames.size(0);
  const at::Tensor truth = batch.frames.narrow(1, report_.n_past, report_.horizon);
  const stages::MetricContext context{batch.frames.select(1, report_.n_past - 1)};
  const int64_t shown_sequences = writers_.empty() ? 0 : std::clamp<int64_t>(visualize_ - report_.sequences, 0, B);
  KeptSamples kept(shown_sequences, shown_);
  SampleRanking ranking(metrics_.size(), metrics_[0]->higher_is_better());
  for (int64_t n = 0; n < report_.samples; ++n) {
    cancel.throw_if_cancelled();
    GenerationRequest one = generation_;
    one.first_sample = n;
    at::Tensor predicted = generate_samples(model_, batch, one).select(1, 0);  // (B, horizon, C, H, W)
    std::vector<at::Tensor> scores = score(predicted, truth, context);
    ranking.add(scores);
    csv_->append(batch.samples, kModel, sample_number(n), report_.first_predicted_frame(), scores);
    kept.add(n, predicted, ranking.became_best());
  }
  add_totals(kBest, ranking.best());
  add_totals(kMean, ranking.mean());
  add_totals(kWorst, ranking.worst());
  show(batch, ranking, kept, score_baselines(batch, truth, context, shown_sequences));
  report_.sequences += B;
}

std::vector<ShownBaseline> Evaluator::score_baselines(const stages::Batch& batch, const at::Tensor& truth,
                                                      const stages::MetricContext& context, int64_t shown_sequences) {
  std::vector<ShownBaseline> shown;
  for (const auto& b : baselines_) {
    const at::Tensor predicted = b->predict(batch.frames, report_.n_past, report_.horizon);
    std::vector<at::Tensor> scores = score(predicted, truth, context);
    add_totals(b->name(), scores);
    csv_->append(batch.samples, b->name(), sample_number(0), report_.first_predicted_frame(), scores);
    if (shown_sequences == 0) continue;
    ShownBaseline kept{b->name(), predicted.narrow(0, 0, shown_sequences), {}};
    for (const auto& s : scores) kept.scores.push_back(s.narrow(0, 0, shown_sequences));
    shown.push_back(std::move(kept));
  }
  return shown;
}

// The writers see the first `visualize` sequences: truth, then the best
// sample, then the other samples they show, in order.
void Evaluator::show(const stages::Batch& batch, const SampleRanking& ranking, const KeptSamples& kept,
                     const std::vector<ShownBaseline>& baselines) {
  const int64_t wanted = std::max<int64_t>(1, std::min(shown_, report_.samples));
  for (int64_t b = 0; b < kept.sequences(); ++b) {
    stages::EvalSequence sequence;
    sequence.index = batch.samples[size_t(b)];
    sequence.n_past = report_.n_past;
    const at::Tensor observed = batch.frames[b].narrow(0, 0, report_.n_past);
    sequence.truth = to_video(batch.frames[b].narrow(0, 0, report_.n_past + report_.horizon));
    const int64_t best = ranking.best_sample()[b].item<int64_t>();
    sequence.predictions.push_back(to_video(torch::cat({observed, kept.best()[b]}, 0)));
    sequence.labels.push_back(report_.samples > 1 ? fmt::format("best ({})", sample_number(best)) : kModel);
    for (int64_t n = 0; n < int64_t(kept.first().size()) && int64_t(sequence.predictions.size()) < wanted; ++n) {
      if (n == best) continue;
      sequence.predictions.push_back(to_video(torch::cat({observed, kept.first()[size_t(n)][b]}, 0)));
      sequence.labels.push_back(fmt::format("sample {}", sample_number(n)));
    }
    for (size_t k = 0; k < metrics_.size(); ++k) sequence.metrics[metrics_[k]->name()] = row_of(ranking.best()[k], b);
    for (const auto& shown : baselines) {
      stages::EvalSequence::Baseline baseline{shown.name, to_video(torch::cat({observed, shown.predicted[b]}, 0)), {}};
      for (size_t k = 0; k < metrics_.size(); ++k) baseline.metrics[metrics_[k]->name()] = row_of(shown.scores[k], b);
      sequence.baselines.push_back(std::move(baseline));
    }
    for (auto& w : writers_) w->sequence(sequence);
  }
}

// The report's means and curves, and the figures of the curves: one line per
// predictor, frames numbered as in the sequence.
std::vector<stages::Figure> Evaluator::summarize() {
  std::vector<stages::Figure> figures;
  for (size_t k = 0; k < metrics_.size(); ++k) {
    const stages::Metric& metric = *metrics_[k];
    MetricSummary m{metric.name(), metric.higher_is_better(), {}, {}};
    stages::Figure figure{m.name + "_per_step", fmt::format("{} per predicted frame ({})", m.name, report_.split),
                          "frame", metric.axis_label(), {}};
    std::vector<double> x;
    for (int64_t f : report_.frames()) x.push_back(double(f));
    for (const auto& p : report_.predictors) {
      m.per_step[p] = totals_.at(p)[k].per_step();
      m.mean[p] = totals_.at(p)[k].mean();
      const bool model_curve = p == kBest || p == kMean || p == kWorst;
      // One sample: best, mean and worst are that sample, one curve.
      if (model_curve && report_.samples == 1 && p != kBest) continue;
      figure.series.push_back({model_curve && report_.samples == 1 ? kModel : p, x, m.per_step[p]});
    }
    figures.push_back(std::move(figure));
    report_.metrics.push_back(std::move(m));
  }
  return figures;
}

void Evaluator::finish() {
  std::vector<stages::Figure> figures = summarize();
  std::map<std::string, double> scalars;
  for (const auto& m : report_.metrics) {
    for (const auto& [predictor, mean] : m.mean) scalars[m.name + "/" + predictor] = mean;
  }
  for (auto& w : writers_) w->end(figures, scalars);
  csv_->commit();
  write_file_atomically(report_.out_dir / "summary.json", report_.json());
  report_.files = {report_.out_dir / "metrics.csv", report_.out_dir / "summary.json"};
  for (auto& w : writers_) {
    for (const auto& f : w->files()) report_.files.push_back(f);
  }
  replace_output_list(report_.out_dir, report_.files);
}

stages::EpochRequest eval_epoch(const Config& config, const EvalReport& report, c10::Device device) {
  auto request = pass_request(report.split, false, report.n_past + report.horizon,
                              uint64_t(config.section("run").integer("seed")), device);
  request.batch_size = config.section("eval").integer("batch_size");
  request.max_batches = config.section("eval").integer("max_batches");
  return request;
}

}  // namespace

EvalReport evaluate(const EvalArgs& args, const Registry& registry, const CancelToken& cancel) {
  const Stopwatch watch;
  // The run's config.toml, then the evaluation file that replaces its tables.
  std::vector<fs::path> layers;
  if (!args.config.empty()) layers.push_back(args.config);
  Config config = load_run_directory_config(args.run_dir, layers, args.overrides, registry);
  EvalReport report;
  report.checkpoint = choose_checkpoint(args.run_dir, args.checkpoint);
  TrainedModel trained = load_trained_model(config, registry, report.checkpoint);
  model::Cvae model = trained.model;
  const c10::Device device = trained.device;

  Evaluator evaluator(config, registry, model, report);
  report.out_dir = RunFiles{args.run_dir}.eval_dir();
  DirectoryLock lock(report.out_dir, "copy the run directory to evaluate it twice at once");
  // Absolute, without a trailing '/': its last name is the run's.
  fs::path run_dir = fs::absolute(args.run_dir).lexically_normal();
  if (run_dir.filename().empty()) run_dir = run_dir.parent_path();
  evaluator.begin(run_dir);
  auto data = registry.create<stages::DataSource>(config.section("data"));
  auto stream = data->open(eval_epoch(config, report, device), cancel);
  DeviceFeeder feeder(*stream, device);
  ProgressBar bar("eval", uint64_t(stream->batches()), "batch", 0, args.progress);
  while (auto batch = feeder.next()) {
    cancel.throw_if_cancelled();
    evaluator.add(*batch, cancel);
    bar.advance(1);
  }
  bar.finish();
  if (report.sequences == 0) throw Error(fmt::format("the {} split gave no sequence to evaluate", report.split));
  evaluator.finish();
  report.seconds = watch.seconds();
  return report;
}

}  // namespace vidpred
