// The HDF5 data source on the flow graph: coverage, determinism, contents,
// the memory bound, errors, augmentation.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <ATen/ATen.h>

#include "converters/h5/layout.h"
#include "pipeline/core/error.h"
#include "stages/data/data_source.h"
#include "tests/support/datasets.h"
#include "tests/support/run_config.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
using namespace vidpred::stages;
using namespace std::chrono_literals;

namespace {

struct SourceFixture {
  test::TempDir dir;
  std::filesystem::path root = test::make_dataset(dir.path(), 40, 6, 8, 0.0);
  Registry registry = stages::make_registry();

  std::unique_ptr<DataSource> source(std::vector<std::string> overrides = {}) {
    Config c = test::tiny_config(registry, root.string(), overrides);
    return registry.create<DataSource>(c.section("data"));
  }
};

EpochRequest request(int64_t epoch, int64_t length = 5) {
  EpochRequest r;
  r.seed = 3;
  r.epoch = epoch;
  r.length = length;
  return r;
}

std::vector<Batch> drain(BatchStream& stream) {
  std::vector<Batch> out;
  while (auto b = stream.next()) out.push_back(std::move(*b));
  return out;
}

}  // namespace

TEST_CASE("every sample of an epoch appears exactly once with shuffle on") {
  SourceFixture f;
  auto source = f.source({"data.batch_size=4", "data.drop_last=false"});
  for (int64_t epoch : {0, 1}) {
    auto stream = source->open(request(epoch), CancelToken());
    std::vector<int64_t> seen;
    for (auto& b : drain(*stream)) seen.insert(seen.end(), b.samples.begin(), b.samples.end());
    REQUIRE(seen.size() == 40);
    CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == 40);
    std::vector<int64_t> sorted(seen);
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted != seen);  // shuffled
  }
  auto a = drain(*source->open(request(0), CancelToken()));
  auto b = drain(*source->open(request(1), CancelToken()));
  CHECK(a[0].samples != b[0].samples);  // a fresh order each epoch
}

TEST_CASE("a stream reports the busy time of each node of its graph by name") {
  SourceFixture f;
  auto stream = f.source({"data.batch_size=4"})->open(request(0), CancelToken());
  drain(*stream);
  std::vector<std::string> nodes;
  for (const auto& busy : stream->busy_times()) {
    nodes.push_back(busy.node);
    CHECK(busy.seconds >= 0);
  }
  CHECK(nodes == std::vector<std::string>{"plan", "read", "decode"});
  CHECK(stream->busy_times().back().seconds > 0);  // decoding 10 batches takes time
}

TEST_CASE("drop_last, sampling with replacement and shards") {
  SourceFixture f;
  auto dropping = f.source({"data.batch_size=6"});
  CHECK(drain(*dropping->open(request(0), CancelToken())).size() == 6);  // 40 / 6
  auto replacement = f.source({"data.batch_size=8", "data.sampling=\"replacement\""});
  std::vector<int64_t> drawn;
  for (auto& b : drain(*replacement->open(request(0), CancelToken()))) {
    drawn.insert(drawn.end(), b.samples.begin(), b.samples.end());
  }
  CHECK(drawn.size() == 40);
  CHECK(std::set<int64_t>(drawn.begin(), drawn.end()).size() < 40);  // some drawn twice

  // Two shards take disjoint halves of every batch, together the whole batch.
  auto source = f.source({"data.batch_size=8"});
  auto whole = drain(*source->open(request(2), CancelToken()));
  for (int shard = 0; shard < 2; ++shard) {
    auto r = request(2);
    r.shard = shard;
    r.shards = 2;
    auto part = drain(*source->open(r, CancelToken()));
    REQUIRE(part.size() == whole.size());
    for (size_t i = 0; i < part.size(); ++i) {
      std::vector<int64_t> expected(whole[i].samples.begin() + 4 * shard, whole[i].samples.begin() + 4 * shard + 4);
      CHECK(part[i].samples == expected);
      CHECK(at::equal(part[i].frames, whole[i].frames.narrow(0, 4 * shard, 4)));
    }
  }
}

TEST_CASE("a short last batch: its size is known to every shard, and it is kept only if every shard gets a row") {
  SourceFixture f;  // 40 samples
  auto shards_of = [&](const char* batch_size, int shards, bool training) {
    auto source = f.source({std::string("data.batch_size=") + batch_size, "data.drop_last=false"});
    std::vector<std::vector<Batch>> out;
    for (int shard = 0; shard < shards; ++shard) {
      auto r = request(0);
      r.shard = shard;
      r.shards = shards;
      r.training = training;
      out.push_back(drain(*source->open(r, CancelToken())));
    }
    return out;
  };
  auto six = shards_of("6", 3, true);  // 6 full batches + 4 rows: every shard gets one
  for (const auto& part : six) {
    REQUIRE(part.size() == 7);
    CHECK(part[0].global_rows == 6);
    CHECK(part[6].global_rows == 4);
  }
  CHECK(six[0][6].samples.size() + six[1][6].samples.size() + six[2][6].samples.size() == 4);
  auto seven = shards_of("7", 6, true);  // 5 full batches + 5 rows for 6 shards: dropped
  for (const auto& part : seven) CHECK(part.size() == 5);
  auto validating = shards_of("7", 6, false);  // validation keeps every sample; a shard may be empty
  size_t rows = 0;
  for (const auto& part : validating) {
    REQUIRE(part.size() == 6);
    rows += part[5].samples.size();
  }
  CHECK(rows == 5);
}

TEST_CASE("the same seed gives the same batches at 1 and 4 threads") {
  SourceFixture f;
  auto one = f.source({"data.threads=1", "data.batch_size=4"});
  auto four = f.source({"data.threads=4", "data.batch_size=4", "data.prefetch=6"});
  auto a = drain(*one->open(request(5), CancelToken()));
  auto b = drain(*four->open(request(5), CancelToken()));
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].samples == b[i].samples);
    CHECK(a[i].index == int64_t(i));
    CHECK(at::equal(a[i].frames, b[i].frames));
    CHECK(at::equal(a[i].cond, b[i].cond));
  }
}

TEST_CASE("batch tensors equal the HDF5 contents: shape, scaling, channel order, conditions") {
  SourceFixture f;
  auto source = f.source({"data.batch_size=3"});
  auto batch = source->open(request(0, 6), CancelToken())->next().value();
  CHECK(batch.frames.sizes() == at::IntArrayRef({3, 6, 3, 64, 64}));
  CHECK(batch.cond.sizes() == at::IntArrayRef({3, 6, 7}));
  CHECK((batch.frames.scalar_type() == at::kFloat));
  h5::DatasetReader reader(f.root / "train.h5");
  for (int64_t row = 0; row < 3; ++row) {
    Trajectory t = reader.read(size_t(batch.samples[row]));
    for (int64_t step : {0, 5}) {
      for (int64_t y : {0, 17, 63}) {
        for (int64_t x : {0, 40}) {
          for (int64_t c = 0; c < 3; ++c) {
            float expected = t.frame(int(step))[(y * 64 + x) * 3 + c] / 255.0f;
            CHECK(batch.frames[row][step][c][y][x].item<float>() == doctest::Approx(expected));
          }
        }
      }
      for (int64_t k = 0; k < 4; ++k) CHECK(batch.cond[row][step][k].item<float>() == t.actions[step * 4 + k]);
      for (int64_t k = 0; k < 3; ++k) {
        CHECK(batch.cond[row][step][4 + k].item<float>() == t.endeffector[step * 3 + k]);
      }
    }
  }
}

TEST_CASE("no more than prefetch batches are alive with a slow consumer") {
  SourceFixture f;
  auto source = f.source({"data.batch_size=2", "data.prefetch=3", "data.threads=2"});
  auto stream = source->open(request(0), CancelToken());
  int64_t most = 0, batches = 0;
  while (auto b = stream->next()) {
    ++batches;
    std::this_thread::sleep_for(20ms);
    most = std::max(most, stream->in_flight());
  }
  CHECK(batches == 20);
  CHECK(most <= 3);
  CHECK(most >= 2);
}

TEST_CASE("a damaged HDF5 chunk gives an error naming the file and sample, not a hang") {
  test::TempDir dir;
  auto root = test::make_dataset(dir.path(), 8, 2, 8, 0.0, "deflate");
  {
    // Overwrite the middle of the file, where the compressed chunks are.
    auto path = root / "train.h5";
    auto size = std::filesystem::file_size(path);
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(std::streamoff(size / 3));
    std::string junk(size / 4, '\x5a');
    file.write(junk.data(), std::streamsize(junk.size()));
  }
  Registry registry = stages::make_registry();
  Config c = test::tiny_config(registry, root.string(), {"data.batch_size=2"});
  auto source = registry.create<DataSource>(c.section("data"));
  auto start = std::chrono::steady_clock::now();
  try {
    auto stream = source->open(request(0), CancelToken());
    while (stream->next()) {
    }
    FAIL("no error");
  } catch (const Error& e) {
    std::string message = e.what();
    CHECK(message.find("train.h5") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("a split with too few frames is refused with a clear message") {
  SourceFixture f;
  auto source = f.source();
  CHECK_THROWS_WITH_AS(source->check("train", 30), doctest::Contains("holds 8 frames per trajectory; the run needs 30"),
                       Error);
  CHECK_THROWS_WITH_AS(source->check("nosuch", 5), doctest::Contains("nosuch.h5' does not exist"), Error);
}

TEST_CASE("augmenters are deterministic per seed and change the data when enabled") {
  SourceFixture f;
  Registry registry = stages::make_registry();
  auto augmented = [&](const std::string& augment, uint64_t seed, bool training = true) {
    std::string text =
        "[data]\nroot = '" + f.root.string() + "'\nbatch_size = 4\nsampling = 'sequential'\n" + augment;
    Config c = Config::parse(text, "augment.toml", {}, run_schema(), registry);
    auto source = registry.create<DataSource>(c.section("data"));
    auto augmenters = registry.create_all<Augmenter>(c.root().list("augment"));
    auto r = request(0);
    r.seed = seed;
    r.training = training;
    for (auto& a : augmenters) r.augmenters.push_back(a.get());
    return source->open(r, CancelToken())->next().value();
  };
  auto plain = augmented("", 3);
  for (std::string augment : {"[[augment]]\ntype = 'color_jitter'\n", "[[augment]]\ntype = 'gaussian_noise'\n",
                              "[[augment]]\ntype = 'temporal_window'\n"}) {
    CAPTURE(augment);
    auto a = augmented(augment, 3), b = augmented(augment, 3), other = augmented(augment, 4);
    CHECK(a.samples == plain.samples);
    CHECK(at::equal(a.frames, b.frames));
    CHECK(!at::equal(a.frames, plain.frames));
    CHECK(!at::equal(a.frames, other.frames));
    CHECK(a.frames.min().item<float>() >= 0.0f);
    CHECK(a.frames.max().item<float>() <= 1.0f);
  }
  // Validation and evaluation never augment.
  auto evaluation = augmented("[[augment]]\ntype = 'gaussian_noise'\n", 3, false);
  CHECK(at::equal(evaluation.frames, augmented("", 3, false).frames));
}
