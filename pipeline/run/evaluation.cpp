#include "pipeline/run/evaluation.h"

#include <chrono>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <torch/torch.h>

#include "pipeline/config/config.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/directory_lock.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/text.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/frames.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"
#include "stages/metrics/metric.h"
#include "stages/predictors/predictor.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

const char* const kBest = "model best";
const char* const kMean = "model mean";
const char* const kWorst = "model worst";

// Running sums per predictor and step, for one metric.
struct Accumulator {
  std::map<std::string, at::Tensor> sums;  // (horizon,) float64 on the CPU
  void add(const std::string& predictor, const at::Tensor& per_step /* (B, H) */) {
    at::Tensor s = per_step.sum(0).to(torch::kCPU);
    auto it = sums.find(predictor);
    if (it == sums.end()) {
      sums.emplace(predictor, s);
    } else {
      it->second += s;
    }
  }
};

std::string csv_number(double v) { return fmt::format("{:.6g}", v); }

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

}  // namespace

std::string EvalReport::table() const {
  std::string out = fmt::format("{:<8}", "metric");
  for (const auto& p : predictors) out += fmt::format(" {:>12}", p);
  out += "\n";
  for (const auto& m : metrics) {
    out += fmt::format("{:<8}", m.name);
    for (const auto& p : predictors) out += fmt::format(" {:>12.4f}", m.mean.at(p));
    out += "\n";
  }
  return out;
}

std::string EvalReport::json() const {
  auto number_list = [](const std::vector<double>& v) {
    std::vector<std::string> parts;
    for (double x : v) parts.push_back(csv_number(x));
    return "[" + join(parts, ", ") + "]";
  };
  std::string out = "{\n";
  out += fmt::format("  \"checkpoint\": {},\n  \"split\": {},\n", json_string(checkpoint.string()), json_string(split));
  out += fmt::format("  \"sequences\": {},\n  \"samples\": {},\n  \"n_past\": {},\n  \"horizon\": {},\n", sequences,
                     samples, n_past, horizon);
  out += "  \"metrics\": {\n";
  for (size_t i = 0; i < metrics.size(); ++i) {
    const auto& m = metrics[i];
    out += fmt::format("    \"{}\": {{\n      \"higher_is_better\": {},\n      \"mean\": {{", m.name,
                       m.higher_is_better ? "true" : "false");
    std::vector<std::string> means, curves;
    for (const auto& p : predictors) {
      means.push_back(fmt::format("\"{}\": {}", p, csv_number(m.mean.at(p))));
      curves.push_back(fmt::format("\"{}\": {}", p, number_list(m.per_step.at(p))));
    }
    out += join(means, ", ") + "},\n      \"per_step\": {" + join(curves, ", ") + "}\n    }";
    out += i + 1 < metrics.size() ? ",\n" : "\n";
  }
  out += "  }\n}\n";
  return out;
}

namespace {

// eval/ holds the last evaluation's files only: what an earlier one wrote
// and this one did not (seq_7.gif of a run with more sequences) would pass
// for this one's. Our own list names them; nothing else is touched.
constexpr const char* kOutputList = ".vidpred-outputs";
constexpr const char* kOutputListHeader = "# files the last vidpred eval wrote here (replaced by the next one)";

void replace_output_list(const fs::path& out_dir, const std::vector<fs::path>& files) {
  const fs::path list = out_dir / kOutputList;
  std::set<std::string> now;
  std::string text = std::string(kOutputListHeader) + "\n";
  for (const auto& f : files) {
    const std::string name = f.lexically_relative(out_dir).generic_string();
    now.insert(name);
    text += name + "\n";
  }
  std::error_code ec;
  if (fs::is_regular_file(list, ec)) {
    std::istringstream before(read_file(list));
    std::string line;
    if (std::getline(before, line) && line == kOutputListHeader) {
      while (std::getline(before, line)) {
        const fs::path relative(line);
        const bool inside = !line.empty() && relative.is_relative() && line.find("..") == std::string::npos;
        if (inside && !now.count(line) && fs::is_regular_file(out_dir / relative, ec)) fs::remove(out_dir / relative, ec);
      }
    }
  }
  write_file_atomically(list, text);
}

}  // namespace

EvalReport evaluate(const EvalArgs& args, const Registry& registry, const CancelToken& cancel) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<fs::path> layers;
  if (!args.config.empty()) layers.push_back(args.config);
  Config config = load_run_directory_config(args.run_dir, layers, args.overrides, registry);
  EvalReport report;
  report.checkpoint = choose_checkpoint(args.run_dir, args.checkpoint);

  auto run = config.section("run");
  TrainedModel trained = load_trained_model(config, registry, report.checkpoint);
  model::Cvae model = trained.model;
  const c10::Device device = trained.device;

  auto eval = config.section("eval");
  report.split = eval.string("split");
  report.samples = eval.integer("samples");
  report.n_past = config.section("train").integer("n_past");
  report.horizon = eval.integer("horizon") > 0 ? eval.integer("horizon") : config.section("train").integer("n_future");
  const int64_t visualize = eval.integer("visualize");
  auto metrics = registry.create_all<stages::Metric>(eval.list("metrics"));
  auto baselines = registry.create_all<stages::Predictor>(eval.list("baselines"));
  auto writers = build_writers(config, registry);
  if (metrics.empty()) eval.fail("metrics", "needs at least one metric");
  report.out_dir = args.run_dir / "eval";
  DirectoryLock lock(report.out_dir, "copy the run directory to evaluate it twice at once");
  for (auto& w : writers) w->begin({report.out_dir, "eval"});

  auto data = registry.create<stages::DataSource>(config.section("data"));
  stages::EpochRequest request;
  request.split = report.split;
  request.seed = uint64_t(run.integer("seed"));
  request.length = report.n_past + report.horizon;
  request.training = false;
  request.batch_size = eval.integer("batch_size");
  request.max_batches = eval.integer("max_batches");
  request.pin_memory = wants_pinned_memory(device);
  auto stream = data->open(request, cancel);
  DeviceFeeder feeder(*stream, device);
  GenerationRequest generation{report.n_past, report.horizon, report.samples, request.seed};

  report.predictors = {kBest, kMean, kWorst};
  for (const auto& b : baselines) report.predictors.push_back(b->name());
  std::vector<Accumulator> sums(metrics.size());
  std::string csv = "sequence,predictor,sample,step";
  for (const auto& m : metrics) csv += "," + m->name();
  csv += "\n";

  ProgressBar bar("eval", uint64_t(stream->batches()), "batch", 0, args.progress);
  while (auto batch = feeder.next()) {
    cancel.throw_if_cancelled();
    const int64_t B = batch->frames.size(0), N = report.samples, H = report.horizon;
    at::Tensor truth = batch->frames.narrow(1, report.n_past, H);
    at::Tensor predicted = generate_samples(model, *batch, generation);  // (B, N, H, C, h, w)
    at::Tensor flat = predicted.reshape({B * N, H, predicted.size(3), predicted.size(4), predicted.size(5)});
    at::Tensor truth_n = truth.unsqueeze(1).expand_as(predicted).reshape_as(flat);
    std::vector<at::Tensor> values;  // per metric (B, N, H) float64
    for (const auto& m : metrics) values.push_back(m->per_step(flat, truth_n).reshape({B, N, H}));

    // Rank the samples of every sequence by the first metric's mean over steps.
    at::Tensor score = values[0].mean(2);
    if (!metrics[0]->higher_is_better()) score = -score;
    at::Tensor best = score.argmax(1), worst = score.argmin(1);
    for (size_t k = 0; k < metrics.size(); ++k) {
      auto pick = [&](const at::Tensor& index) {
        return values[k].gather(1, index.view({B, 1, 1}).expand({B, 1, H})).squeeze(1);
      };
      sums[k].add(kBest, pick(best));
      sums[k].add(kMean, values[k].mean(1));
      sums[k].add(kWorst, pick(worst));
    }
    std::vector<at::Tensor> baseline_values;  // per baseline, per metric (B, H)
    for (const auto& b : baselines) {
      at::Tensor guess = b->predict(batch->frames, report.n_past, H);
      for (size_t k = 0; k < metrics.size(); ++k) {
        at::Tensor v = metrics[k]->per_step(guess, truth);
        sums[k].add(b->name(), v);
        baseline_values.push_back(v.to(torch::kCPU).contiguous());
      }
    }

    // eval/metrics.csv: every sample of the model, and the baselines.
    std::vector<at::Tensor> cpu_values;
    for (auto& v : values) cpu_values.push_back(v.to(torch::kCPU).contiguous());
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t t = 0; t < H; ++t) {
          csv += fmt::format("{},model,{},{}", batch->samples[b], n, report.n_past + t);
          for (auto& v : cpu_values) csv += "," + csv_number(v.data_ptr<double>()[(b * N + n) * H + t]);
          csv += "\n";
        }
      }
      for (size_t i = 0; i < baselines.size(); ++i) {
        for (int64_t t = 0; t < H; ++t) {
          csv += fmt::format("{},{},0,{}", batch->samples[b], baselines[i]->name(), report.n_past + t);
          for (size_t k = 0; k < metrics.size(); ++k) {
            at::Tensor& v = baseline_values[i * metrics.size() + k];
            csv += "," + csv_number(v.data_ptr<double>()[b * H + t]);
          }
          csv += "\n";
        }
      }
    }

    // The writers see the first `visualize` sequences: truth, then the best
    // sample, then the others in order.
    for (int64_t b = 0; b < B && report.sequences + b < visualize && !writers.empty(); ++b) {
      stages::EvalSequence sequence;
      sequence.index = batch->samples[b];
      sequence.n_past = report.n_past;
      at::Tensor observed = batch->frames[b].narrow(0, 0, report.n_past);
      sequence.truth = to_video(batch->frames[b].narrow(0, 0, report.n_past + H));
      const int64_t best_n = best[b].item<int64_t>();
      std::vector<int64_t> order{best_n};
      for (int64_t n = 0; n < N; ++n) {
        if (n != best_n) order.push_back(n);
      }
      for (int64_t n : order) {
        sequence.predictions.push_back(to_video(torch::cat({observed, predicted[b][n]}, 0)));
        sequence.labels.push_back(n == best_n ? (N > 1 ? "best" : "model") : fmt::format("sample {}", n + 1));
      }
      for (size_t k = 0; k < metrics.size(); ++k) {
        const double* row = cpu_values[k].data_ptr<double>() + (b * N + best_n) * H;
        sequence.metrics[metrics[k]->name()] = std::vector<double>(row, row + H);
      }
      for (auto& w : writers) w->sequence(sequence);
    }
    report.sequences += B;
    bar.advance(1);
  }
  bar.finish();
  if (report.sequences == 0) throw Error(fmt::format("the {} split gave no sequence to evaluate", report.split));

  std::vector<stages::Figure> figures;
  std::map<std::string, double> scalars;
  for (size_t k = 0; k < metrics.size(); ++k) {
    MetricSummary m;
    m.name = metrics[k]->name();
    m.higher_is_better = metrics[k]->higher_is_better();
    stages::Figure figure{m.name + "_per_step", fmt::format("{} per predicted frame ({})", m.name, report.split),
                          "frame", m.name, {}};
    for (const auto& p : report.predictors) {
      at::Tensor mean = sums[k].sums.at(p) / double(report.sequences);
      m.per_step[p] = std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + report.horizon);
      m.mean[p] = mean.mean().item<double>();
      scalars[m.name + "/" + p] = m.mean[p];
      if (p == kWorst && report.samples == 1) continue;  // the same curve as best and mean
      stages::Series series{p, {}, m.per_step[p]};
      for (int64_t t = 0; t < report.horizon; ++t) series.x.push_back(double(report.n_past + t + 1));
      figure.series.push_back(series);
    }
    figures.push_back(figure);
    report.metrics.push_back(std::move(m));
  }
  for (auto& w : writers) w->end(figures, scalars);

  write_file_atomically(report.out_dir / "metrics.csv", csv);
  write_file_atomically(report.out_dir / "summary.json", report.json());
  report.files = {report.out_dir / "metrics.csv", report.out_dir / "summary.json"};
  for (auto& w : writers) {
    for (const auto& f : w->files()) report.files.push_back(f);
  }
  replace_output_list(report.out_dir, report.files);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace vidpred
