#include "pipeline/run/run_context.h"

#include <sstream>

#include <torch/torch.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/core/error.h"
#include "pipeline/core/text.h"
#include "pipeline/distributed/process_group.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/run_files.h"
#include "pipeline/run/run_schema.h"
#include "stages/priors/prior_stage.h"

namespace vidpred {

c10::Device resolve_device(const std::string& device) {
  const bool cuda = torch::cuda::is_available();
  if (device == "cuda" && !cuda) {
    throw Error("run.device = \"cuda\" but no CUDA device is available (this LibTorch "
                + std::string(cuda ? "has" : "has no usable") + " CUDA); use \"auto\" or \"cpu\"");
  }
  if (device == "cuda" || (device == "auto" && cuda)) return c10::Device(c10::kCUDA, 0);
  return c10::Device(c10::kCPU);
}

stages::EpochRequest pass_request(const std::string& split, bool training, int64_t length, uint64_t seed,
                                  c10::Device device, const dist::ProcessGroup* group) {
  stages::EpochRequest request;
  request.split = split;
  request.training = training;
  request.length = length;
  request.seed = seed;
  request.pin_memory = wants_pinned_memory(device);
  if (group) {
    request.shard = group->rank();
    request.shards = group->size();
  }
  return request;
}

model::Cvae build_model(const Config& config, const Registry& registry) {
  if (config.section("train").integer("n_past") < 2 && !config.section("model").flag("last_frame_skip")) {
    throw Error("train.n_past = 1 needs model.last_frame_skip = true: the decoder takes its skips from the last "
                "observed frame before the current one, and with one observed frame there is none");
  }
  torch::manual_seed(uint64_t(config.section("run").integer("seed")));
  auto options = model_options(config.section("model"));
  options.batch_frames = config.section("train").flag("batch_frames");
  auto prior = registry.create<stages::PriorStage>(config.section("prior"))->build(options);
  model::Cvae model(options, prior);
  model::init_weights(*model);
  return model;
}

namespace {
std::string thousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "vidpred::model::EncoderImpl" -> "Encoder", "torch::nn::Conv2dImpl" -> "Conv2d".
std::string short_name(std::string name) {
  if (auto colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name;
}

// What a module calls itself: its pretty_print up to the arguments
// ("torch::nn::Conv2d(3, 4, ...)" -> "Conv2d"). Module::name() is the demangled
// type, which for a template reads SyncBatchNormImpl<2l>; naming the module
// instead would need code per LibTorch version (Cloneable's Module base is
// virtual in 1.13, not in 2.6, which changes who may construct it).
std::string module_type(const torch::nn::Module& m) {
  std::ostringstream text;
  m.pretty_print(text);
  return short_name(text.str().substr(0, text.str().find('(')));
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

void describe(const torch::nn::Module& m, const std::string& name, int depth, int max_depth, std::string& out) {
  int64_t count = parameter_count(m);
  if (depth > 0 && count == 0) return;
  out += fmt::format("{:<48} {:>12}\n", std::string(2 * depth, ' ') + name + " (" + module_type(m) + ")",
                     thousands(count));
  if (depth >= max_depth) return;
  for (const auto& child : m.named_children()) describe(*child.value(), child.key(), depth + 1, max_depth, out);
}

// " (did you mean 'runs/synthetic-small'?)" among the run directories beside
// a misspelt one, or "".
std::string nearest_run_directory(const std::filesystem::path& run_dir) {
  std::filesystem::path parent = run_dir.parent_path();
  std::error_code ec;
  std::vector<std::string> runs;
  for (const auto& entry : std::filesystem::directory_iterator(parent.empty() ? "." : parent, ec)) {
    if (std::filesystem::exists(RunFiles{entry.path()}.config(), ec)) runs.push_back(entry.path().filename().string());
  }
  const std::string nearest = nearest_name(run_dir.filename().string(), runs);
  return nearest.empty() ? "" : fmt::format(" (did you mean '{}'?)", (parent / nearest).string());
}

}  // namespace

std::string describe_model(const model::Cvae& model) {
  std::string out = fmt::format("{:<48} {:>12}\n", "module", "parameters");
  describe(*model, "cvae", 0, 3, out);
  out += fmt::format("{:<48} {:>12}\n", "total", thousands(parameter_count(*model)));
  return out;
}

std::vector<std::unique_ptr<stages::Writer>> build_writers(const Config& config, const Registry& registry) {
  std::vector<std::string> left_out;
  auto writers = registry.create_available<stages::Writer>(config.root().list("outputs"), left_out);
  if (!left_out.empty()) fmt::print("outputs this build cannot write, left out: {}\n", fmt::join(left_out, ", "));
  return writers;
}

Config load_run_directory_config(const std::filesystem::path& run_dir, const std::vector<std::filesystem::path>& layers,
                                 const std::vector<std::string>& overrides, const Registry& registry) {
  std::vector<std::filesystem::path> all{RunFiles{run_dir}.config()};
  all.insert(all.end(), layers.begin(), layers.end());
  std::error_code ec;
  if (!std::filesystem::exists(run_dir, ec)) {
    throw Error(fmt::format("run directory '{}' does not exist{}", run_dir.string(), nearest_run_directory(run_dir)));
  }
  if (!std::filesystem::exists(all[0], ec)) {
    throw Error(fmt::format("'{}' is not a run directory (no config.toml); train one with `vidpred train`",
                            run_dir.string()));
  }
  return Config::load_layers(all, overrides, run_schema(), registry);
}

TrainedModel load_trained_model(const Config& config, const Registry& registry,
                                const std::filesystem::path& checkpoint) {
  auto run = config.section("run");
  if (run.integer("threads") > 0) torch::set_num_threads(int(run.integer("threads")));
  TrainedModel trained{build_model(config, registry), resolve_device(run.string("device"))};
  load_checkpoint(checkpoint, trained.model, nullptr);
  trained.model->to(trained.device);
  return trained;
}

RunShape run_shape(const Config& config) {
  auto train = config.section("train");
  return {train.integer("n_past"), train.integer("n_future")};
}

}  // namespace vidpred
