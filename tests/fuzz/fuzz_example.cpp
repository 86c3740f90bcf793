// libFuzzer target: a record's payload as the converter and `inspect` see it.
// trajectory_from_example for both cameras and summarize_example must either
// succeed or throw a RecordError (or, in a build without imgcodecs and for a
// PNG/JPEG frame, BuildLacks); anything else (another exception, a crash,
// an allocation far beyond the input's size) is a bug. A trajectory that
// comes back must be consistent with its frame count.
#include <cstdint>
#include <string_view>

#include "converters/bair_example.h"
#include "pipeline/core/error.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  vidpred::RecordLocation where{"fuzz.tfrecords", 0, 0};
  int frames = -1;
  try {
    auto summary = vidpred::summarize_example(payload, where);
    FUZZ_CHECK(summary.frames >= 0);
    FUZZ_CHECK(summary.cameras.size() <= 2);
    frames = summary.frames;
  } catch (const vidpred::RecordError& e) {
    FUZZ_CHECK(e.fault() == vidpred::RecordFault::bad_example);
  }
  for (auto camera : {vidpred::Camera::aux1, vidpred::Camera::main}) {
    try {
      auto t = vidpred::trajectory_from_example(payload, camera, where);
      FUZZ_CHECK(t.frames > 0 && t.frames == frames);
      FUZZ_CHECK(t.pixels.size() == size_t(t.frames) * t.frame_bytes());
      FUZZ_CHECK(t.actions.size() == size_t(t.frames) * vidpred::kActionDim);
      FUZZ_CHECK(t.endeffector.size() == size_t(t.frames) * vidpred::kEndEffectorDim);
    } catch (const vidpred::RecordError& e) {
      FUZZ_CHECK(e.where().file == where.file);
    } catch (const vidpred::BuildLacks&) {
#ifdef VIDPRED_HAVE_IMAGE_IO
      FUZZ_CHECK(false);  // a build with imgcodecs lacks nothing
#endif
    }
  }
  return 0;
}
