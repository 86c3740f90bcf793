#pragma once
// Test inputs for the writers: synthetic sequences of moving coloured squares,
// and writers built from TOML through the registry, the way a run builds them.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

namespace vidpred::stages {
// The writer classes are private to their files; their registration
// functions are what writers.def names.
#define VIDPRED_STAGE(Class) void register_##Class(Registry& registry);
#include "stages/writers/writers.def"
#undef VIDPRED_STAGE
}  // namespace vidpred::stages

namespace vidpred::test {

inline constexpr int kFrameSize = 64;

// A smooth background with two squares moving in opposite directions;
// `shift` moves them, as a drifting prediction would.
inline stages::Video moving_squares(int frames, int64_t seed, int shift = 0) {
  stages::Video video;
  video.frames = frames;
  video.height = video.width = kFrameSize;
  video.rgb.resize(size_t(frames) * kFrameSize * kFrameSize * 3);
  auto fill = [&](int t, int x0, int y0, int side, uint8_t r, uint8_t g, uint8_t b) {
    for (int y = y0; y < y0 + side; ++y) {
      for (int x = x0; x < x0 + side; ++x) {
        uint8_t* p = video.rgb.data() + ((size_t(t) * kFrameSize + (y % kFrameSize)) * kFrameSize + (x % kFrameSize)) * 3;
        p[0] = r, p[1] = g, p[2] = b;
      }
    }
  };
  for (int t = 0; t < frames; ++t) {
    for (int y = 0; y < kFrameSize; ++y) {
      for (int x = 0; x < kFrameSize; ++x) {
        uint8_t* p = video.rgb.data() + ((size_t(t) * kFrameSize + y) * kFrameSize + x) * 3;
        p[0] = uint8_t(60 + 2 * x), p[1] = uint8_t(60 + 2 * y), p[2] = 120;
      }
    }
    int first = 4 + 4 * t + shift, second = 48 - 3 * t + shift + 64 * 4;
    fill(t, first, 8 + int(seed * 7) % 30, 14, 230, 50, 40);
    fill(t, second, 36, 12, 30, 70, 220);
  }
  return video;
}

// Truth plus `samples` predictions that follow the truth while observed and
// drift apart afterwards.
inline stages::EvalSequence synthetic_sequence(int64_t index, int n_past = 2, int horizon = 10, int samples = 3) {
  stages::EvalSequence sequence;
  sequence.index = index;
  sequence.n_past = n_past;
  int frames = n_past + horizon;
  sequence.truth = moving_squares(frames, index);
  size_t observed_bytes = size_t(n_past) * kFrameSize * kFrameSize * 3;
  for (int s = 0; s < samples; ++s) {
    stages::Video prediction = moving_squares(frames, index, 2 * (s + 1));
    std::copy_n(sequence.truth.rgb.begin(), observed_bytes, prediction.rgb.begin());
    sequence.predictions.push_back(std::move(prediction));
    sequence.labels.push_back(s == 0 ? "best" : "sample " + std::to_string(s + 1));
  }
  for (int t = 0; t < horizon; ++t) sequence.metrics["psnr"].push_back(30.0 - t);
  return sequence;
}

inline Registry writer_registry() {
  Registry registry;
#define VIDPRED_STAGE(Class) stages::register_##Class(registry);
#include "stages/writers/writers.def"
#undef VIDPRED_STAGE
  return registry;
}

// The writers of a run file's [[outputs]] tables; ConfigError when invalid.
inline std::vector<std::unique_ptr<stages::Writer>> make_writers(const std::string& toml) {
  Registry registry = writer_registry();
  Schema schema = Schema().stages("outputs", "writer", {}, "output writers");
  Config config = Config::parse(toml, "run.toml", {}, schema, registry);
  return registry.create_all<stages::Writer>(config.root().list("outputs"));
}

// One writer from the body of its [[outputs]] table, e.g. "type = 'gif'\nscale = 3".
inline std::unique_ptr<stages::Writer> make_writer(const std::string& table_body) {
  auto writers = make_writers("[[outputs]]\n" + table_body + "\n");
  return std::move(writers.at(0));
}

// Every file under `dir` whose name contains ".partial".
inline std::vector<std::filesystem::path> partial_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().find(".partial") != std::string::npos) found.push_back(entry.path());
  }
  return found;
}

}  // namespace vidpred::test
