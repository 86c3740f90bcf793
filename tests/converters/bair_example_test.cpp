#include <doctest/doctest.h>

#include <string>

#include "converters/bair_example.h"
#include "converters/image_codec.h"
#include "converters/proto/example.pb.h"
#include "tests/support/features.h"
#include "tests/support/trajectories.h"

using namespace vidpred;

namespace {

RecordLocation here() { return {"file.tfrecords", 7, 4242}; }

tfproto::Example parse(const std::string& payload) {
  tfproto::Example e;
  REQUIRE(e.ParseFromString(payload));
  return e;
}

RecordError expect_error(const std::string& payload, Camera camera = Camera::aux1) {
  try {
    trajectory_from_example(payload, camera, here());
  } catch (const RecordError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

}  // namespace

TEST_CASE("a trajectory survives Example encoding with both cameras") {
  Trajectory aux1 = test::pattern_trajectory(5, 1);
  Trajectory main = test::pattern_trajectory(5, 2);
  std::string payload = example_from_trajectory(aux1, main.pixels);
  Trajectory back = trajectory_from_example(payload, Camera::aux1, here());
  CHECK(back == aux1);
  Trajectory from_main = trajectory_from_example(payload, Camera::main, here());
  CHECK(from_main.pixels == main.pixels);
  CHECK(from_main.actions == aux1.actions);

  auto summary = summarize_example(payload, here());
  CHECK(summary.frames == 5);
  CHECK(summary.cameras == std::vector<std::string>{"aux1", "main"});
}

TEST_CASE("the frame count comes from the keys") {
  for (int frames : {1, 3, 30}) {
    std::string payload = example_from_trajectory(test::pattern_trajectory(frames, 3), {});
    CHECK(trajectory_from_example(payload, Camera::aux1, here()).frames == frames);
  }
}

TEST_CASE("missing and short features name the record and the key") {
  Trajectory t = test::pattern_trajectory(4, 5);
  tfproto::Example example = parse(example_from_trajectory(t, {}));
  auto& features = *example.mutable_features()->mutable_feature();

  SUBCASE("missing action") {
    features.erase("2/action");
    auto e = expect_error(example.SerializeAsString());
    CHECK(e.fault() == RecordFault::missing_feature);
    CHECK(std::string(e.what()).find("'2/action'") != std::string::npos);
  }
  SUBCASE("missing camera") {
    auto e = expect_error(example.SerializeAsString(), Camera::main);
    CHECK(e.fault() == RecordFault::missing_feature);
    CHECK(std::string(e.what()).find("0/image_main/encoded") != std::string::npos);
  }
  SUBCASE("short action") {
    features["1/action"].mutable_float_list()->mutable_value()->RemoveLast();
    auto e = expect_error(example.SerializeAsString());
    CHECK(e.fault() == RecordFault::wrong_size);
    CHECK(std::string(e.what()).find("'1/action' has 3 floats, expected 4") != std::string::npos);
  }
  SUBCASE("long end-effector") {
    features["3/endeffector_pos"].mutable_float_list()->add_value(1.f);
    auto e = expect_error(example.SerializeAsString());
    CHECK(std::string(e.what()).find("'3/endeffector_pos' has 4 floats") != std::string::npos);
  }
  SUBCASE("short image") {
    features["0/image_aux1/encoded"].mutable_bytes_list()->mutable_value(0)->resize(100);
    auto e = expect_error(example.SerializeAsString());
    CHECK(e.fault() == RecordFault::wrong_size);
    CHECK(std::string(e.what()).find("'0/image_aux1/encoded' has 100 bytes") != std::string::npos);
  }
  SUBCASE("gap in the frames") {
    features.erase("1/image_aux1/encoded");
    CHECK(expect_error(example.SerializeAsString()).fault() == RecordFault::missing_feature);
  }
  SUBCASE("the location is in every message") {
    features.erase("0/action");
    std::string message = expect_error(example.SerializeAsString()).what();
    CHECK(message.find("file.tfrecords: record 7 at byte 4242") != std::string::npos);
  }
}

TEST_CASE("garbage is not an Example") {
  auto e = expect_error(std::string("\xff\xff\xff\xff garbage", 13));
  CHECK(e.fault() == RecordFault::bad_example);
  CHECK(expect_error("").fault() == RecordFault::missing_feature);  // empty Example: no frames
}

TEST_CASE("PNG and JPEG frame payloads are decoded" * doctest::skip(!test::kHaveImageIo)) {
  Trajectory t = test::pattern_trajectory(2, 9);
  tfproto::Example example = parse(example_from_trajectory(t, {}));
  auto& features = *example.mutable_features()->mutable_feature();
  *features["1/image_aux1/encoded"].mutable_bytes_list()->mutable_value(0) = encode_png(t.frame(1), 64, 64);
  Trajectory back = trajectory_from_example(example.SerializeAsString(), Camera::aux1, here());
  CHECK(back == t);  // PNG is lossless

  std::vector<uint8_t> small(32 * 32 * 3, 128);
  *features["1/image_aux1/encoded"].mutable_bytes_list()->mutable_value(0) = encode_png(small.data(), 32, 32);
  auto e = expect_error(example.SerializeAsString());
  CHECK(std::string(e.what()).find("32x32, expected 64x64") != std::string::npos);
}

TEST_CASE("a build without imgcodecs names what it lacks for a PNG frame" * doctest::skip(test::kHaveImageIo)) {
  Trajectory t = test::pattern_trajectory(2, 9);
  tfproto::Example example = parse(example_from_trajectory(t, {}));
  auto& features = *example.mutable_features()->mutable_feature();
  *features["1/image_aux1/encoded"].mutable_bytes_list()->mutable_value(0) = test::png_frame_header();
  // Not a RecordError: no record is at fault, so --skip-corrupt must not skip it.
  CHECK_THROWS_WITH_AS(trajectory_from_example(example.SerializeAsString(), Camera::aux1, here()),
                       doctest::Contains("cannot decode PNG/JPEG images: it was built without OpenCV's imgcodecs"),
                       BuildLacks);
}
