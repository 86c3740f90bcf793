#pragma once
// Small converted datasets for tests, made in-process with the synthetic
// world and the converter (about a tenth of a second each).
#include <filesystem>

#include "converters/convert.h"
#include "converters/synth/bair_files.h"

namespace vidpred::test {

// DIR/h5/{train,validate,test}.h5 with `train` and `test` trajectories of
// `frames` frames of world `seed` (vidpred synth's default is 1); returns DIR/h5.
inline std::filesystem::path make_dataset(const std::filesystem::path& dir, int64_t train, int64_t test,
                                          int frames = 8, double validate_fraction = 0.25,
                                          const char* compression = "none", uint64_t seed = 11) {
  synth::SynthOptions s;
  s.out = dir / "raw";
  s.train = train;
  s.test = test;
  s.seed = seed;
  s.world.frames = frames;
  synth::write_bair_tfrecords(s, CancelToken());
  ConvertOptions c;
  c.source = dir / "raw" / "softmotion30_44k";
  c.out = dir / "h5";
  c.validate_fraction = validate_fraction;
  c.compression = h5::Compression::parse(compression);
  c.progress = false;
  c.force = true;
  convert(c, CancelToken());
  return dir / "h5";
}

}  // namespace vidpred::test
