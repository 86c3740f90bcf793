#pragma once
// The files of eval/ that evaluation writes itself: metrics.csv, streamed as
// the scores come, and the list of the last evaluation's outputs.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "pipeline/core/atomic_file.h"

namespace vidpred {

// eval/metrics.csv: one row per sequence, predictor, sample and frame, with a
// column per metric. Rows are appended as they are scored, under a temporary
// name until commit(), so that memory holds none of them.
class MetricsCsv {
 public:
  MetricsCsv(const std::filesystem::path& path, const std::vector<std::string>& metrics);
  ~MetricsCsv();
  MetricsCsv(const MetricsCsv&) = delete;
  MetricsCsv& operator=(const MetricsCsv&) = delete;

  // The rows of one prediction of a batch: `scores` per metric (B, horizon),
  // row b for sequence `sequences[b]`; frames are numbered from first_frame.
  void append(const std::vector<int64_t>& sequences, const std::string& predictor, int64_t sample,
              int64_t first_frame, const std::vector<at::Tensor>& scores);
  void commit();
  const std::filesystem::path& path() const { return file_.final_path(); }

 private:
  void write(const std::string& text);

  AtomicFile file_;
  std::FILE* out_ = nullptr;
};

// A number as the CSV and JSON files write it: 6 significant digits.
std::string csv_number(double value);

// Records `files` (under out_dir) as the last evaluation's outputs and removes
// what the previous list named and this one does not, with the folders that
// leaves empty. Files and folders vidpred did not write are never touched.
void replace_output_list(const std::filesystem::path& out_dir, const std::vector<std::filesystem::path>& files);

}  // namespace vidpred
