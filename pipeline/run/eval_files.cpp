#include "pipeline/run/eval_files.h"

#include <set>
#include <sstream>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

std::string csv_number(double value) { return fmt::format("{:.6g}", value); }

MetricsCsv::MetricsCsv(const fs::path& path, const std::vector<std::string>& metrics) : file_(path) {
  out_ = std::fopen(file_.path().c_str(), "wb");
  check_io(out_ != nullptr, file_.path(), "create");
  std::string header = "sequence,predictor,sample,frame";
  for (const auto& m : metrics) header += "," + m;
  write(header + "\n");
}

MetricsCsv::~MetricsCsv() {
  if (out_) std::fclose(out_);
}

void MetricsCsv::write(const std::string& text) {
  check_io(std::fwrite(text.data(), 1, text.size(), out_) == text.size(), file_.path(), "write");
}

void MetricsCsv::append(const std::vector<int64_t>& sequences, const std::string& predictor, int64_t sample,
                        int64_t first_frame, const std::vector<at::Tensor>& scores) {
  std::vector<at::Tensor> cpu;
  for (const auto& s : scores) cpu.push_back(s.to(at::kCPU, at::kDouble).contiguous());
  const int64_t horizon = cpu.empty() ? 0 : cpu[0].size(1);
  std::string rows;
  for (size_t b = 0; b < sequences.size(); ++b) {
    for (int64_t t = 0; t < horizon; ++t) {
      rows += fmt::format("{},{},{},{}", sequences[b], predictor, sample, first_frame + t);
      for (const auto& values : cpu) rows += "," + csv_number(values.data_ptr<double>()[int64_t(b) * horizon + t]);
      rows += "\n";
    }
  }
  write(rows);
}

void MetricsCsv::commit() {
  std::FILE* out = out_;
  out_ = nullptr;
  check_io(std::fclose(out) == 0, file_.path(), "write");
  file_.commit();
}

namespace {

constexpr const char* kOutputList = ".vidpred-outputs";
constexpr const char* kOutputListHeader = "# files the last vidpred eval wrote here (replaced by the next one)";

// The files the previous list names, relative to out_dir; none when the list
// is missing or not ours.
std::vector<fs::path> previous_outputs(const fs::path& list) {
  std::error_code ec;
  if (!fs::is_regular_file(list, ec)) return {};
  std::istringstream before(read_file(list));
  std::string line;
  if (!std::getline(before, line) || line != kOutputListHeader) return {};
  std::vector<fs::path> out;
  while (std::getline(before, line)) {
    const fs::path relative(line);
    if (!line.empty() && relative.is_relative() && line.find("..") == std::string::npos) out.push_back(relative);
  }
  return out;
}

// Removes the folders between `relative` and out_dir that are empty now.
void remove_empty_folders(const fs::path& out_dir, fs::path relative) {
  std::error_code ec;
  for (relative = relative.parent_path(); !relative.empty(); relative = relative.parent_path()) {
    const fs::path folder = out_dir / relative;
    if (!fs::is_directory(folder, ec) || !fs::is_empty(folder, ec)) return;
    fs::remove(folder, ec);
  }
}

}  // namespace

// eval/ holds the last evaluation's files only: what an earlier one wrote
// and this one did not (seq_7.gif of a run with more sequences) would pass
// for this one's. Our own list names them; nothing else is touched.
void replace_output_list(const fs::path& out_dir, const std::vector<fs::path>& files) {
  std::set<std::string> now;
  std::string text = std::string(kOutputListHeader) + "\n";
  for (const auto& f : files) {
    const std::string name = f.lexically_relative(out_dir).generic_string();
    now.insert(name);
    text += name + "\n";
  }
  const fs::path list = out_dir / kOutputList;
  std::error_code ec;
  for (const auto& relative : previous_outputs(list)) {
    if (now.count(relative.generic_string())) continue;
    if (fs::is_regular_file(out_dir / relative, ec)) fs::remove(out_dir / relative, ec);
    remove_empty_folders(out_dir, relative);
  }
  write_file_atomically(list, text);
}

}  // namespace vidpred
