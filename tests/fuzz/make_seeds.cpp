// Writes the seed corpora of the binary fuzz targets (tests/fuzz/corpus/
// tfrecord, example) with the project's own writers, so that the seeds are
// valid records of today's format plus a few typical kinds of damage:
//   build-fuzz/fuzz/fuzz_make_seeds tests/fuzz/corpus
// Every file stays well under 64 KB (1-2 frame trajectories).
#include <cstdio>
#include <filesystem>
#include <string>

#include "converters/bair_example.h"
#include "converters/image_codec.h"
#include "converters/proto/example.pb.h"
#include "converters/synth/world.h"
#include "converters/tfrecord.h"
#include "pipeline/core/atomic_file.h"

namespace {
namespace fs = std::filesystem;
using namespace vidpred;

std::string both_cameras(int frames, uint64_t index) {
  auto s = synth::simulate(7, index, {frames, 64});
  return example_from_trajectory(s.aux1, s.main_pixels);
}

// An Example whose frames are PNG files, as some other writers store them.
std::string png_example(int frames) {
  auto s = synth::simulate(7, 3, {frames, 64});
  tfproto::Example example;
  auto& features = *example.mutable_features()->mutable_feature();
  for (int t = 0; t < frames; ++t) {
    features[std::to_string(t) + "/image_aux1/encoded"].mutable_bytes_list()->add_value(
        encode_png(s.aux1.frame(t), 64, 64));
    auto* action = features[std::to_string(t) + "/action"].mutable_float_list();
    for (int i = 0; i < kActionDim; ++i) action->add_value(s.aux1.actions[t * kActionDim + i]);
    auto* position = features[std::to_string(t) + "/endeffector_pos"].mutable_float_list();
    for (int i = 0; i < kEndEffectorDim; ++i) position->add_value(s.aux1.endeffector[t * kEndEffectorDim + i]);
  }
  return example.SerializeAsString();
}

std::string without(std::string payload, const std::string& key) {
  tfproto::Example example;
  example.ParseFromString(payload);
  example.mutable_features()->mutable_feature()->erase(key);
  return example.SerializeAsString();
}

void write(const fs::path& path, const std::string& bytes) {
  write_file_atomically(path, bytes);
  std::printf("%6zu bytes  %s\n", bytes.size(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT (writes CORPUS_ROOT/{tfrecord,example}/)\n", argv[0]);
    return 2;
  }
  fs::path root = argv[1];

  // example: payloads of one record.
  fs::path ex = root / "example";
  write(ex / "synth_1frame_both_cameras", both_cameras(1, 0));
  write(ex / "synth_2frames_both_cameras", both_cameras(2, 1));
  write(ex / "png_3frames_aux1", png_example(3));
  write(ex / "missing_endeffector", without(both_cameras(1, 2), "0/endeffector_pos"));
  write(ex / "missing_aux1", without(both_cameras(1, 2), "0/image_aux1/encoded"));

  // tfrecord: framing of small payloads (the reader never looks inside).
  fs::path tf = root / "tfrecord";
  std::string three = frame_record("first") + frame_record("") + frame_record(std::string(100, 'x'));
  write(tf / "synth_1frame", frame_record(both_cameras(1, 0)));
  write(tf / "three_records", three);
  std::string bad_length = three;
  bad_length[frame_record("first").size() + 8] ^= 1;  // the second record's length CRC
  write(tf / "bad_length_crc", bad_length);
  std::string bad_data = three;
  bad_data[frame_record("first").size() - 1] ^= 1;  // the first record's payload CRC
  write(tf / "bad_data_crc", bad_data);
  write(tf / "truncated", three.substr(0, three.size() - 30));
  std::string huge_length = frame_record("abc");
  huge_length[7] = '\x7f';  // a length near 2^63 (its CRC now fails too)
  write(tf / "huge_length", huge_length);
  return 0;
}
