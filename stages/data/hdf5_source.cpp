// Batches from the converted HDF5 splits, through the ordered flow graph:
// plan (which samples, which window) -> read (raw chunks; HDF5 serialises
// its calls, so one reader) -> decode (inflate, uint8 HWC -> float CHW into
// the batch's memory, conditions, augmenters; parallel over samples).
#include <map>
#include <memory>
#include <numeric>

#include <ATen/ops/empty.h>
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "converters/h5/layout.h"
#include "pipeline/config/registry.h"
#include "pipeline/core/error.h"
#include "pipeline/graph/ordered_stream.h"
#include "stages/data/data_source.h"

namespace vidpred::stages {
namespace {

// Keys of the counter-based streams, so that no two uses share randomness.
enum : uint64_t { kOrderStream = 0x5eed0001, kAugmentStream = 0x5eed0002 };

struct BatchPlan {
  int64_t index = 0, global_rows = 0;
  std::vector<int64_t> samples, positions, starts;  // per row: split index, draw position, window start
  std::vector<h5::RawChunk> chunks;
};

// Which sample each draw of the epoch takes.
std::vector<int64_t> epoch_order(const std::string& sampling, int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  CounterRng rng(seed, {kOrderStream, uint64_t(epoch)});
  if (sampling == "shuffle") {
    for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[rng.below(uint64_t(i + 1))]);
  } else if (sampling == "replacement") {
    for (auto& o : order) o = int64_t(rng.below(uint64_t(n)));
  }
  return order;
}

class Hdf5Stream : public BatchStream {
 public:
  Hdf5Stream(std::shared_ptr<const h5::DatasetReader> reader, EpochRequest request, std::vector<int64_t> order,
             int64_t batch_size, bool drop_last, StreamOptions options, const CancelToken& cancel)
      : reader_(std::move(reader)), request_(std::move(request)), order_(std::move(order)), batch_size_(batch_size) {
    const int64_t n = int64_t(order_.size());
    batches_ = drop_last ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
    // Training keeps a short last batch only if every shard gets a row of it:
    // a rank with none would have no step to take while the others wait on it.
    if (request_.training && n % batch_size_ != 0 && n % batch_size_ < request_.shards) batches_ = n / batch_size_;
    if (request_.max_batches > 0) batches_ = std::min(batches_, request_.max_batches);
    StreamStages<BatchPlan, Batch> stages;
    stages.plan = [this]() { return plan(); };
    stages.read = [this](BatchPlan& p) { read(p); };
    stages.decode = [this](BatchPlan&& p) { return decode(std::move(p)); };
    stream_ = std::make_unique<OrderedStream<BatchPlan, Batch>>(std::move(stages), options, cancel);
  }

  std::optional<Batch> next() override { return stream_->next(); }
  int64_t batches() const override { return batches_; }
  std::vector<BusyTime> busy_times() const override {
    std::vector<BusyTime> out;
    for (auto node : NodeTimes::kNodes) out.push_back({NodeTimes::name(node), stream_->node_times().seconds(node)});
    return out;
  }
  int64_t in_flight() const override { return stream_->in_flight(); }

 private:
  std::optional<BatchPlan> plan() {
    if (next_batch_ >= batches_) return std::nullopt;
    BatchPlan p;
    p.index = next_batch_++;
    const int64_t first = p.index * batch_size_;
    const int64_t rows = std::min<int64_t>(batch_size_, int64_t(order_.size()) - first);
    p.global_rows = rows;
    const int64_t begin = rows * request_.shard / request_.shards, end = rows * (request_.shard + 1) / request_.shards;
    const int64_t available = reader_->info().frames;
    for (int64_t r = begin; r < end; ++r) {
      const int64_t position = first + r, sample = order_[position];
      int64_t start = 0;
      for (size_t k = 0; k < request_.augmenters.size(); ++k) {
        CounterRng rng = augment_rng(position, sample, k);
        if (auto s = request_.augmenters[k]->window_start(available, request_.length, rng)) start = *s;
      }
      if (start < 0 || start + request_.length > available) {
        throw Error(fmt::format("{}: window start {} leaves no room for {} frames", reader_->describe(sample), start,
                                request_.length));
      }
      p.samples.push_back(sample);
      p.positions.push_back(position);
      p.starts.push_back(start);
    }
    return p;
  }

  void read(BatchPlan& p) {
    for (int64_t sample : p.samples) p.chunks.push_back(reader_->read_chunk(size_t(sample)));
  }

  Batch decode(BatchPlan&& p) {
    const int64_t rows = int64_t(p.samples.size()), T = request_.length;
    const int64_t H = reader_->info().height, W = reader_->info().width;
    Batch batch;
    batch.index = p.index;
    batch.global_rows = p.global_rows;
    batch.samples = p.samples;
    batch.positions = p.positions;
    auto options = at::TensorOptions().dtype(at::kFloat).pinned_memory(request_.pin_memory);
    batch.frames = at::empty({rows, T, 3, H, W}, options);
    batch.cond = at::empty({rows, T, kCondDim}, options);
    float* frames = batch.frames.data_ptr<float>();
    float* cond = batch.cond.data_ptr<float>();
    tbb::parallel_for(int64_t(0), rows, [&](int64_t r) {
      const auto sample = size_t(p.samples[r]);
      const int64_t start = p.starts[r];
      std::vector<uint8_t> pixels(size_t(T) * reader_->frame_bytes());
      reader_->decode(p.chunks[r], sample, int(start), int(T), pixels.data());
      float* dst = frames + r * T * 3 * H * W;
      constexpr float kScale = 1.0f / 255.0f;
      for (int64_t t = 0; t < T; ++t) {
        const uint8_t* src = pixels.data() + t * H * W * 3;
        float* frame = dst + t * 3 * H * W;
        for (int64_t i = 0; i < H * W; ++i) {
          frame[i] = src[3 * i] * kScale;
          frame[H * W + i] = src[3 * i + 1] * kScale;
          frame[2 * H * W + i] = src[3 * i + 2] * kScale;
        }
        float* c = cond + (r * T + t) * kCondDim;
        const float* action = reader_->actions(sample) + (start + t) * kActionDim;
        const float* position = reader_->endeffector(sample) + (start + t) * kEndEffectorDim;
        std::copy(action, action + kActionDim, c);
        std::copy(position, position + kEndEffectorDim, c + kActionDim);
      }
      SequenceView view{dst, cond + r * T * kCondDim, T, H, W};
      for (size_t k = 0; k < request_.augmenters.size(); ++k) {
        CounterRng rng = augment_rng(p.positions[r], p.samples[r], k);
        request_.augmenters[k]->apply(view, rng);
      }
    });
    return batch;
  }

  CounterRng augment_rng(int64_t position, int64_t sample, size_t k) const {
    return CounterRng(request_.seed, {kAugmentStream, uint64_t(request_.epoch), uint64_t(position), uint64_t(sample),
                                      uint64_t(k)});
  }

  std::shared_ptr<const h5::DatasetReader> reader_;
  EpochRequest request_;
  std::vector<int64_t> order_;
  int64_t batch_size_, batches_ = 0, next_batch_ = 0;
  std::unique_ptr<OrderedStream<BatchPlan, Batch>> stream_;  // last: stops before the rest goes
};

class Hdf5DataSource : public DataSource {
 public:
  using Interface = DataSource;
  static constexpr const char* kName = "hdf5";
  static constexpr const char* kSummary = "converted HDF5 splits (vidpred convert), streamed by a oneTBB flow graph";
  static Schema schema() {
    return Schema()
        .required_string("root", "folder of the converted splits (train.h5, validate.h5, test.h5)")
        .integer("batch_size", 16, "sequences per (global) batch", {1, 1 << 20})
        .integer("prefetch", 4, "batches alive at once, the one in use included (bounds memory)", {1, 1024})
        .integer("threads", 2, "threads of the data graph (0: all cores)", {0, 1024})
        .string("sampling", "shuffle", "training order: a fresh permutation per epoch, draws with replacement "
                "(the reference), or in order", {"shuffle", "replacement", "sequential"})
        .flag("drop_last", true, "drop a training epoch's short last batch");
  }

  explicit Hdf5DataSource(const Params& p)
      : root_(p.string("root")),
        batch_size_(p.integer("batch_size")),
        prefetch_(int(p.integer("prefetch"))),
        threads_(int(p.integer("threads"))),
        sampling_(p.string("sampling")),
        drop_last_(p.flag("drop_last")) {}

  int64_t size(const std::string& split) override { return int64_t(reader(split)->size()); }
  int64_t batch_size() const override { return batch_size_; }

  void check(const std::string& split, int64_t length) override {
    auto r = reader(split);
    const auto& info = r->info();
    if (info.height != 64 || info.width != 64) {
      throw Error(fmt::format("'{}' holds {}x{} frames; the model takes 64x64", r->path().string(), info.width,
                              info.height));
    }
    if (info.frames < length) {
      throw Error(fmt::format("'{}' holds {} frames per trajectory; the run needs {} (n_past + n_future or the "
                              "evaluation horizon)", r->path().string(), info.frames, length));
    }
    if (r->size() == 0) throw Error(fmt::format("'{}' holds no trajectories", r->path().string()));
  }

  std::unique_ptr<BatchStream> open(const EpochRequest& request, const CancelToken& cancel) override {
    check(request.split, request.length);
    auto r = reader(request.split);
    const int64_t batch = request.batch_size > 0 ? request.batch_size : batch_size_;
    std::string sampling = request.training ? sampling_ : "sequential";
    EpochRequest effective = request;
    if (!request.training) effective.augmenters.clear();
    StreamOptions options{prefetch_, threads_ > 0 ? threads_ : int(tbb::info::default_concurrency())};
    return std::make_unique<Hdf5Stream>(r, std::move(effective),
                                        epoch_order(sampling, int64_t(r->size()), request.seed, request.epoch), batch,
                                        request.training && drop_last_, options, cancel);
  }

 private:
  std::shared_ptr<const h5::DatasetReader> reader(const std::string& split) {
    auto it = readers_.find(split);
    if (it == readers_.end()) {
      std::filesystem::path path = std::filesystem::path(root_) / (split + ".h5");
      it = readers_.emplace(split, std::make_shared<const h5::DatasetReader>(path)).first;
    }
    return it->second;
  }

  std::string root_;
  int64_t batch_size_;
  int prefetch_, threads_;
  std::string sampling_;
  bool drop_last_;
  std::map<std::string, std::shared_ptr<const h5::DatasetReader>> readers_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(Hdf5DataSource)
}  // namespace vidpred::stages
