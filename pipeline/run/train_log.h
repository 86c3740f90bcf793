#pragma once
// The per-epoch training log, kept as RUN_DIR/train_log.csv (rewritten
// atomically after every epoch; read back on resume).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vidpred {

struct EpochRecord {
  int64_t epoch = 0;
  double loss = 0, mse = 0, kld = 0;  // per-step means, divided by the sequence length
  double kl_factor = 0, tfr = 0;
  std::optional<double> val_psnr, val_ssim;
  double seconds = 0;
};

class TrainLog {
 public:
  static constexpr const char* kHeader = "epoch,loss,mse,kld,kl_factor,tfr,val_psnr,val_ssim,seconds";

  // Reads an existing log (for a resumed run), keeping epochs before `epochs_done`.
  static TrainLog read(const std::filesystem::path& path, int64_t epochs_done);
  void add(const EpochRecord& record) { records_.push_back(record); }
  void write(const std::filesystem::path& path) const;
  const std::vector<EpochRecord>& records() const { return records_; }

 private:
  std::vector<EpochRecord> records_;
};

}  // namespace vidpred
