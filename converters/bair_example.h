#pragma once
// A BAIR robot-pushing trajectory <-> one tf.train.Example: per frame i,
// `i/image_aux1/encoded` and `i/image_main/encoded` (64*64*3 raw RGB bytes, or a
// PNG/JPEG from other writers), `i/action` (4 floats), `i/endeffector_pos` (3).
#include <string>
#include <string_view>
#include <vector>

#include "converters/tfrecord.h"
#include "converters/trajectory.h"

namespace vidpred {

enum class Camera { aux1, main };
Camera parse_camera(std::string_view name);  // "aux1" | "main"
const char* camera_name(Camera camera);

// Parses and checks one record's payload; errors are RecordErrors naming `where`
// and the feature key. The frame count is found from the keys.
Trajectory trajectory_from_example(std::string_view payload, Camera camera,
                                   const RecordLocation& where);

// The Example for a trajectory seen from both cameras (`main_pixels` may be
// empty, then the main camera is left out as some BAIR records do).
std::string example_from_trajectory(const Trajectory& aux1, const std::vector<uint8_t>& main_pixels);

// What `inspect` shows of a record without insisting on a camera.
struct ExampleSummary {
  int frames = 0;
  std::vector<std::string> cameras;  // cameras with an image for frame 0
  size_t features = 0;
};
ExampleSummary summarize_example(std::string_view payload, const RecordLocation& where);

}  // namespace vidpred
