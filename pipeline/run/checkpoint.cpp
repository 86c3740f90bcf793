#include "pipeline/run/checkpoint.h"

#include <set>
#include <sstream>

#include <torch/torch.h>
#include <fmt/format.h>

#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/core/text.h"
#include "pipeline/run/run_files.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kFormat = 1;

// The file stores a plain double: "no validation yet" is any value at or
// below this (earlier versions wrote -1e300), so old checkpoints read alike.
constexpr double kNoValidation = -1e300;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string shape(const at::Tensor& t) {
  std::string out = "[";
  for (int64_t i = 0; i < t.dim(); ++i) out += (i ? ", " : "") + std::to_string(t.size(i));
  return out + "]";
}

torch::serialize::InputArchive open_archive(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(fmt::format("checkpoint '{}' does not exist", path.string()));
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw Error(fmt::format("checkpoint '{}' is damaged or not a checkpoint ({})", path.string(),
                            first_line(e.what_without_backtrace())));
  }
  c10::IValue format;
  if (!archive.try_read("vidpred/format", format) || !format.isInt()) {
    throw Error(fmt::format("'{}' is not a vidpred checkpoint", path.string()));
  }
  if (format.toInt() != kFormat) {
    throw Error(fmt::format("checkpoint '{}' has format {}; this vidpred reads {}", path.string(), format.toInt(),
                            kFormat));
  }
  return archive;
}

// Each of the model's parameters and buffers with its stored tensor, every
// one checked (present, same shape, and nothing stored that the model lacks)
// before anything is copied: a checkpoint that does not fit leaves the model as it was.
using WeightCopies = std::vector<std::pair<at::Tensor, at::Tensor>>;
WeightCopies read_weights(const fs::path& path, torch::serialize::InputArchive& archive, model::Cvae& model) {
  torch::serialize::InputArchive weights;
  if (!archive.try_read("model", weights)) throw Error(fmt::format("checkpoint '{}' has no weights", path.string()));
  WeightCopies copies;
  std::set<std::string> model_names;
  auto collect = [&](const std::string& name, const at::Tensor& target, bool is_buffer) {
    model_names.insert(name);
    at::Tensor stored;
    if (!weights.try_read(name, stored, is_buffer)) {
      throw Error(fmt::format("checkpoint '{}' does not fit this model: it has no '{}' (another model or prior?)",
                              path.string(), name));
    }
    if (!stored.sizes().equals(target.sizes())) {
      throw Error(fmt::format("checkpoint '{}' does not fit this model: '{}' is {} in the checkpoint, {} in the model",
                              path.string(), name, shape(stored), shape(target)));
    }
    copies.emplace_back(target, stored);
  };
  for (const auto& p : model->named_parameters()) collect(p.key(), p.value(), false);
  for (const auto& b : model->named_buffers()) collect(b.key(), b.value(), true);
  // And nothing more: weights the model would drop (cond_mean of a run
  // trained with model.normalize_cond, say) would change what it computes.
  for (const std::string& name : weights.keys()) {
    if (model_names.count(name)) continue;
    at::Tensor stored;
    if (weights.try_read(name, stored, false) || weights.try_read(name, stored, true)) {
      throw Error(fmt::format("checkpoint '{}' does not fit this model: it has '{}', which the model lacks "
                              "(trained with other model options?)",
                              path.string(), name));
    }
  }
  return copies;
}

}  // namespace

void save_checkpoint(const fs::path& path, const model::Cvae& model, torch::optim::Optimizer* optimizer,
                     const TrainingState& state, bool half_parameters) {
  torch::serialize::OutputArchive archive;
  archive.write("vidpred/format", c10::IValue(kFormat));
  archive.write("vidpred/epochs_done", c10::IValue(state.epochs_done));
  archive.write("vidpred/global_step", c10::IValue(state.global_step));
  archive.write("vidpred/seed", c10::IValue(int64_t(state.seed)));
  archive.write("vidpred/best_psnr", c10::IValue(state.best_psnr.value_or(kNoValidation)));
  archive.write("vidpred/config", c10::IValue(state.config));
  torch::serialize::OutputArchive weights;
  for (const auto& p : model->named_parameters()) {
    at::Tensor t = p.value().detach().cpu();
    weights.write(p.key(), half_parameters && t.is_floating_point() ? t.to(at::kHalf) : t);
  }
  for (const auto& b : model->named_buffers()) weights.write(b.key(), b.value().cpu(), /*is_buffer=*/true);
  archive.write("model", weights);
  if (optimizer) {
    torch::serialize::OutputArchive optim;
    optimizer->save(optim);
    archive.write("optimizer", optim);
  }
  // Serialised in memory, then written by us: torch's file writer finishes
  // the zip in a destructor, so a full disk there ends the process instead of
  // raising an error that names the file.
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str());
}

TrainingState load_checkpoint(const fs::path& path, model::Cvae& model, torch::optim::Optimizer* optimizer) {
  auto archive = open_archive(path);
  TrainingState state;
  auto read_value = [&](const char* key) {
    c10::IValue v;
    if (!archive.try_read(key, v)) throw Error(fmt::format("checkpoint '{}' has no '{}'", path.string(), key));
    return v;
  };
  state.epochs_done = read_value("vidpred/epochs_done").toInt();
  state.global_step = read_value("vidpred/global_step").toInt();
  state.seed = uint64_t(read_value("vidpred/seed").toInt());
  if (const double best = read_value("vidpred/best_psnr").toDouble(); best > kNoValidation) state.best_psnr = best;
  state.config = read_value("vidpred/config").toStringRef();

  const WeightCopies copies = read_weights(path, archive, model);  // checked before anything changes
  if (optimizer) {
    torch::serialize::InputArchive optim;
    if (!archive.try_read("optimizer", optim)) {
      throw Error(fmt::format("checkpoint '{}' has no optimizer state", path.string()));
    }
    try {
      optimizer->load(optim);
    } catch (const c10::Error& e) {
      throw Error(fmt::format("checkpoint '{}': optimizer state does not fit ({})", path.string(),
                              first_line(e.what_without_backtrace())));
    }
  }
  torch::NoGradGuard no_grad;
  for (const auto& [target, stored] : copies) target.copy_(stored);
  return state;
}

fs::path choose_checkpoint(const fs::path& run_dir, const std::string& choice) {
  const bool named = choice == "best" || choice == "last";
  const fs::path path = named ? RunFiles{run_dir}.checkpoint(choice) : fs::path(choice);
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  if (named) {
    throw Error(fmt::format("run directory '{}' has no {}.pt (train it first with `vidpred train`{})",
                            run_dir.string(), choice, choice == "best" ? ", or pass --checkpoint last" : ""));
  }
  throw Error(fmt::format("checkpoint '{}' does not exist (--checkpoint takes best, last or a file){}", path.string(),
                          did_you_mean(choice, {"best", "last"})));
}

std::string checkpoint_config(const fs::path& path) {
  auto archive = open_archive(path);
  c10::IValue v;
  if (!archive.try_read("vidpred/config", v)) throw Error(fmt::format("checkpoint '{}' has no config", path.string()));
  return v.toStringRef();
}

}  // namespace vidpred
