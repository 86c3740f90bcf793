#pragma once
// A run folder as training and evaluation leave it for the page: a
// config.toml, a training curve in plots/, and eval/index.html written by the
// html_report writer from two synthetic sequences with a baseline each.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/core/atomic_file.h"
#include "tests/stages/writers/writer_fixtures.h"

namespace vidpred::test {

// The pictures that page shows: two sequence GIFs, one per-step plot, one training curve.
inline constexpr int kReportRunImages = 4;

inline stages::Figure report_figure(const std::string& name, const std::string& series) {
  return {name, name + " of the test run", "frame", "dB", {{series, {3, 4, 5}, {30, 28, 27}}}};
}

// The sequence with its shifted truth as a "copy_last" baseline.
inline stages::EvalSequence sequence_with_baseline(int64_t index) {
  stages::EvalSequence sequence = synthetic_sequence(index, 2, 4);
  stages::EvalSequence::Baseline baseline{"copy_last", moving_squares(6, index, 5), {}};
  baseline.metrics["psnr"] = {20, 19, 18, 17};
  sequence.baselines.push_back(baseline);
  return sequence;
}

inline void write_report_run(const std::filesystem::path& run) {
  std::filesystem::create_directories(run / "eval");
  write_file_atomically(run / "config.toml", "[model]\nz_dim = 16  # <tiny> & \"quoted\"\n");
  auto curves = make_writer("type = 'curve_png'");
  curves->begin({run, "train", run, {}});
  curves->end({report_figure("train_loss", "loss")}, {});

  auto page = make_writer("type = 'html_report'\nsequences = 2\nsamples = 2");
  page->begin({run / "eval", "eval", run, {{"checkpoint", "best.pt"}, {"split", "test"}}});
  for (int64_t index : {5, 9, 11}) page->sequence(sequence_with_baseline(index));
  page->end({report_figure("psnr_per_step", "model best")},
            {{"psnr/model best", 27.5}, {"psnr/copy_last", 23.25}, {"psnr/model mean", 26.0}});
}

}  // namespace vidpred::test
