#include "pipeline/run/train_log.h"

#include <sstream>

#include <fmt/format.h>

#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {
std::string optional_value(const std::optional<double>& v) { return v ? fmt::format("{:.6g}", *v) : ""; }
}  // namespace

TrainLog TrainLog::read(const fs::path& path, int64_t epochs_done) {
  TrainLog log;
  std::error_code ec;
  if (!fs::exists(path, ec)) return log;
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);  // header
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    while (cells.size() < 9) cells.emplace_back();
    try {
      EpochRecord r;
      r.epoch = std::stoll(cells[0]);
      r.loss = std::stod(cells[1]);
      r.mse = std::stod(cells[2]);
      r.kld = std::stod(cells[3]);
      r.kl_factor = std::stod(cells[4]);
      r.tfr = std::stod(cells[5]);
      if (!cells[6].empty()) r.val_psnr = std::stod(cells[6]);
      if (!cells[7].empty()) r.val_ssim = std::stod(cells[7]);
      r.seconds = std::stod(cells[8]);
      if (r.epoch < epochs_done) log.add(r);
    } catch (const std::exception&) {
      throw Error(fmt::format("{} line {}: not a training log row: '{}'", path.string(), line_number, line));
    }
  }
  return log;
}

void TrainLog::write(const fs::path& path) const {
  std::string text = std::string(kHeader) + "\n";
  for (const auto& r : records_) {
    text += fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{:.3f}\n", r.epoch, r.loss, r.mse, r.kld,
                        r.kl_factor, r.tfr, optional_value(r.val_psnr), optional_value(r.val_ssim), r.seconds);
  }
  write_file_atomically(path, text);
}

}  // namespace vidpred
