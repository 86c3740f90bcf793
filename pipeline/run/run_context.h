#pragma once
// Everything a run builds from its configuration: the model, its data and
// the stages around it. Training, evaluation, `vidpred model` and the
// benchmarks all start from here, so a config means the same thing everywhere.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "model/cvae.h"
#include "pipeline/config/config.h"
#include "pipeline/config/registry.h"
#include "stages/data/data_source.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace dist {
class ProcessGroup;
}

// `device` is "auto", "cpu" or "cuda"; asking for CUDA where there is none is
// an error that says so.
c10::Device resolve_device(const std::string& device);

// A pass over `split` as this process reads it: its shard of every global
// batch when it is a rank of `group`, page-locked batches where `device` takes
// them asynchronously. Callers add the epoch, batch limits and augmenters.
stages::EpochRequest pass_request(const std::string& split, bool training, int64_t length, uint64_t seed,
                                  c10::Device device, const dist::ProcessGroup* group = nullptr);

// Seeds torch and builds the model with the reference initialisation.
model::Cvae build_model(const Config& config, const Registry& registry);

// A human-readable tree of the model's modules with parameter counts.
std::string describe_model(const model::Cvae& model);

// The run's [[outputs]]; those this build lacks (no imgcodecs, say) are left
// out with a printed note, so that a machine without them still trains.
std::vector<std::unique_ptr<stages::Writer>> build_writers(const Config& config, const Registry& registry);

// A trained run's config: RUN_DIR/config.toml, with `layers` (evaluation
// files) merged over it and then the overrides. A folder without a
// config.toml is an error saying it is not a run directory.
Config load_run_directory_config(const std::filesystem::path& run_dir, const std::vector<std::filesystem::path>& layers,
                                 const std::vector<std::string>& overrides, const Registry& registry);

struct TrainedModel {
  model::Cvae model;
  c10::Device device;
};

// The run's model with a checkpoint's weights, on the run's device, with
// run.threads applied. A checkpoint of another model is refused, naming the
// first parameter that does not fit.
TrainedModel load_trained_model(const Config& config, const Registry& registry,
                                const std::filesystem::path& checkpoint);

struct RunShape {
  int64_t n_past, n_future;
  int64_t length() const { return n_past + n_future; }
};
RunShape run_shape(const Config& config);

}  // namespace vidpred
