#include "converters/bair_example.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>

#include "converters/image_codec.h"
#include "converters/proto/example.pb.h"
#include "pipeline/core/text.h"

namespace vidpred {

Camera parse_camera(std::string_view name) {
  if (name == "aux1") return Camera::aux1;
  if (name == "main") return Camera::main;
  throw Error(fmt::format("unknown camera '{}'{}; cameras are aux1 and main", name,
                          did_you_mean(name, {"aux1", "main"})));
}

const char* camera_name(Camera camera) { return camera == Camera::aux1 ? "aux1" : "main"; }

namespace {

using FeatureMap = google::protobuf::Map<std::string, tfproto::Feature>;

std::string image_key(int t, Camera camera) {
  return fmt::format("{}/image_{}/encoded", t, camera_name(camera));
}

tfproto::Example parse_example(std::string_view payload, const RecordLocation& where) {
  tfproto::Example example;
  // A damaged payload is reported once, by the RecordError below; protobuf
  // would also log its own line (e.g. about a key that is not UTF-8).
  google::protobuf::LogSilencer quiet;
  if (!example.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    throw RecordError(RecordFault::bad_example, where,
                      fmt::format("{} bytes do not parse as a protobuf Example", payload.size()));
  }
  return example;
}

// The frame count: one past the largest frame number among keys "N/...".
int count_frames(const FeatureMap& features) {
  int frames = 0;
  for (const auto& [key, value] : features) {
    auto slash = key.find('/');
    if (slash == std::string::npos || slash == 0) continue;
    int t = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + slash, t);
    if (ec == std::errc() && end == key.data() + slash && t >= 0 && t < (1 << 20)) {
      frames = std::max(frames, t + 1);
    }
  }
  return frames;
}

const tfproto::Feature& require(const FeatureMap& features, const std::string& key,
                                const RecordLocation& where) {
  auto it = features.find(key);
  if (it == features.end()) {
    throw RecordError(RecordFault::missing_feature, where, fmt::format("no feature '{}'", key));
  }
  return it->second;
}

void read_floats(const FeatureMap& features, const std::string& key, int count, float* out,
                 const RecordLocation& where) {
  const auto& feature = require(features, key, where);
  if (!feature.has_float_list()) {
    throw RecordError(RecordFault::wrong_size, where,
                      fmt::format("feature '{}' is not a float_list", key));
  }
  const auto& values = feature.float_list().value();
  if (values.size() != count) {
    throw RecordError(RecordFault::wrong_size, where,
                      fmt::format("feature '{}' has {} floats, expected {}", key, values.size(), count));
  }
  std::copy(values.begin(), values.end(), out);
}

void read_image(const FeatureMap& features, const std::string& key, Trajectory& trajectory, int t,
                const RecordLocation& where) {
  const auto& feature = require(features, key, where);
  if (!feature.has_bytes_list() || feature.bytes_list().value_size() != 1) {
    throw RecordError(RecordFault::wrong_size, where,
                      fmt::format("feature '{}' is not a single bytes value", key));
  }
  const std::string& bytes = feature.bytes_list().value(0);
  uint8_t* dst = trajectory.pixels.data() + t * trajectory.frame_bytes();
  if (bytes.size() == trajectory.frame_bytes()) {
    std::memcpy(dst, bytes.data(), bytes.size());
    return;
  }
  if (looks_like_png(bytes) || looks_like_jpeg(bytes)) {
    try {
      auto rgb = decode_rgb_image(bytes, trajectory.height, trajectory.width);
      std::memcpy(dst, rgb.data(), rgb.size());
      return;
    } catch (const RecordError&) {
      throw;
    } catch (const BuildLacks&) {
      throw;
    } catch (const Error& e) {
      throw RecordError(RecordFault::wrong_size, where, fmt::format("feature '{}': {}", key, e.what()));
    }
  }
  throw RecordError(RecordFault::wrong_size, where,
                    fmt::format("feature '{}' has {} bytes, expected {} (64x64x3 raw) or a PNG/JPEG",
                                key, bytes.size(), trajectory.frame_bytes()));
}

}  // namespace

Trajectory trajectory_from_example(std::string_view payload, Camera camera,
                                   const RecordLocation& where) {
  tfproto::Example example = parse_example(payload, where);
  const FeatureMap& features = example.features().feature();
  Trajectory trajectory;
  trajectory.frames = count_frames(features);
  if (trajectory.frames == 0) {
    throw RecordError(RecordFault::missing_feature, where,
                      fmt::format("no frame features (expected '0/{}')", image_key(0, camera).substr(2)));
  }
  // The frame count comes from key names alone: check that every frame's
  // features exist before allocating for them, so that a record of a few
  // bytes naming frame 1000000 costs a lookup, not 12 GB.
  for (int t = 0; t < trajectory.frames; ++t) {
    require(features, image_key(t, camera), where);
    require(features, fmt::format("{}/action", t), where);
    require(features, fmt::format("{}/endeffector_pos", t), where);
  }
  trajectory.pixels.resize(trajectory.frames * trajectory.frame_bytes());
  trajectory.actions.resize(trajectory.frames * kActionDim);
  trajectory.endeffector.resize(trajectory.frames * kEndEffectorDim);
  for (int t = 0; t < trajectory.frames; ++t) {
    read_image(features, image_key(t, camera), trajectory, t, where);
    read_floats(features, fmt::format("{}/action", t), kActionDim, &trajectory.actions[t * kActionDim],
                where);
    read_floats(features, fmt::format("{}/endeffector_pos", t), kEndEffectorDim,
                &trajectory.endeffector[t * kEndEffectorDim], where);
  }
  return trajectory;
}

std::string example_from_trajectory(const Trajectory& aux1, const std::vector<uint8_t>& main_pixels) {
  tfproto::Example example;
  auto& features = *example.mutable_features()->mutable_feature();
  auto add_image = [&](const std::string& key, const uint8_t* data, size_t size) {
    features[key].mutable_bytes_list()->add_value(std::string(reinterpret_cast<const char*>(data), size));
  };
  auto add_floats = [&](const std::string& key, const float* data, int count) {
    auto* list = features[key].mutable_float_list();
    for (int i = 0; i < count; ++i) list->add_value(data[i]);
  };
  for (int t = 0; t < aux1.frames; ++t) {
    add_image(image_key(t, Camera::aux1), aux1.frame(t), aux1.frame_bytes());
    if (!main_pixels.empty()) {
      add_image(image_key(t, Camera::main), main_pixels.data() + t * aux1.frame_bytes(),
                aux1.frame_bytes());
    }
    add_floats(fmt::format("{}/action", t), &aux1.actions[t * kActionDim], kActionDim);
    add_floats(fmt::format("{}/endeffector_pos", t), &aux1.endeffector[t * kEndEffectorDim],
               kEndEffectorDim);
  }
  // Map order in protobuf's serialisation is unspecified; deterministic output
  // keeps synthetic files byte-identical for the same seed.
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    example.SerializeToCodedStream(&coded);
  }
  return out;
}

ExampleSummary summarize_example(std::string_view payload, const RecordLocation& where) {
  tfproto::Example example = parse_example(payload, where);
  const FeatureMap& features = example.features().feature();
  ExampleSummary summary;
  summary.frames = count_frames(features);
  summary.features = features.size();
  for (Camera camera : {Camera::aux1, Camera::main}) {
    if (features.count(image_key(0, camera))) summary.cameras.emplace_back(camera_name(camera));
  }
  return summary;
}

}  // namespace vidpred
