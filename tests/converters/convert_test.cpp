#include <doctest/doctest.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "converters/bair_example.h"
#include "converters/convert.h"
#include "converters/h5/layout.h"
#include "converters/png_dir_source.h"
#include "converters/proto/example.pb.h"
#include "converters/synth/bair_files.h"
#include "converters/tfrecord.h"
#include "pipeline/core/directory_lock.h"
#include "tests/support/features.h"
#include "tests/support/temp_dir.h"
#include "tests/support/trajectories.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// train: `files` files of `per_file` pattern trajectories (seeds 0, 1, ...);
// test: one file of 3 (seeds 1000...). Names sort numerically, not as text.
void write_tree(const fs::path& root, int files, int per_file, int frames) {
  fs::create_directories(root / "train");
  fs::create_directories(root / "test");
  for (int f = 0; f < files; ++f) {
    int first = f * per_file;
    TFRecordWriter w(root / "train" / fmt::format("traj_{}_to_{}.tfrecords", first, first + per_file - 1));
    for (int i = 0; i < per_file; ++i) w.write(example_from_trajectory(test::pattern_trajectory(frames, first + i), {}));
    w.close();
  }
  TFRecordWriter w(root / "test" / "traj_0_to_2.tfrecords");
  for (int i = 0; i < 3; ++i) w.write(example_from_trajectory(test::pattern_trajectory(frames, 1000 + i), {}));
  w.close();
}

ConvertOptions options_for(const fs::path& source, const fs::path& out) {
  ConvertOptions o;
  o.source = source;
  o.out = out;
  o.progress = false;
  return o;
}

std::vector<Trajectory> read_split(const fs::path& path) {
  h5::DatasetReader reader(path);
  std::vector<Trajectory> out;
  for (size_t i = 0; i < reader.size(); ++i) out.push_back(reader.read(i));
  return out;
}

void corrupt(const fs::path& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.put('\x7f');
}

}  // namespace

TEST_CASE("synth -> convert -> HDF5 reads back the generated frames, actions and positions exactly") {
  test::TempDir dir;
  synth::SynthOptions s;
  s.out = dir / "synth";
  s.train = 300;  // two files: 256 + 44
  s.test = 4;
  s.seed = 7;
  s.world.frames = 5;
  synth::write_bair_tfrecords(s, CancelToken());
  CHECK(fs::exists(dir / "synth/softmotion30_44k/train/traj_0_to_255.tfrecords"));
  CHECK(fs::exists(dir / "synth/softmotion30_44k/train/traj_256_to_299.tfrecords"));
  CHECK(fs::exists(dir / "synth/softmotion30_44k/test/traj_0_to_3.tfrecords"));

  auto o = options_for(dir / "synth/softmotion30_44k", dir / "h5");
  o.validate_fraction = 0.1;
  o.compression = h5::Compression::parse("deflate");
  auto report = convert(o, CancelToken());
  REQUIRE(report.splits.size() == 3);
  CHECK(report.splits[0].trajectories == 270);
  CHECK(report.splits[1].trajectories == 30);
  CHECK(report.splits[2].trajectories == 4);

  // Every 10th train trajectory went to validate, in order.
  h5::DatasetReader train(dir / "h5/train.h5"), validate(dir / "h5/validate.h5"), test(dir / "h5/test.h5");
  for (size_t k = 0; k < 300; k += 37) {
    auto expected = synth::simulate(7, k, s.world).aux1;
    bool is_validate = (k + 1) % 10 == 0;
    size_t index = is_validate ? k / 10 : k - (k + 1) / 10;
    auto& reader = is_validate ? validate : train;
    CAPTURE(k);
    CHECK(reader.read(index) == expected);
    CHECK(reader.source_record(index) == k % 256);
  }
  CHECK(test.read(3) == synth::simulate(7, (uint64_t(1) << 40) + 3, s.world).aux1);
  CHECK(train.info().camera == "aux1");
}

TEST_CASE("the main camera can be chosen") {
  test::TempDir dir;
  synth::SynthOptions s;
  s.out = dir / "synth";
  s.train = 3;
  s.test = 1;
  s.world.frames = 3;
  synth::write_bair_tfrecords(s, CancelToken());
  auto o = options_for(dir / "synth/softmotion30_44k", dir / "h5");
  o.camera = Camera::main;
  o.validate_fraction = 0;
  convert(o, CancelToken());
  CHECK(!fs::exists(dir / "h5/validate.h5"));
  auto t = h5::DatasetReader(dir / "h5/train.h5").read(1);
  CHECK(t.pixels == synth::simulate(1, 1, s.world).main_pixels);
}

TEST_CASE("files are taken in numeric order of their names") {
  test::TempDir dir;
  write_tree(dir / "src", 11, 2, 3);  // traj_10_to_11 sorts before traj_2_to_3 as text
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0;
  convert(o, CancelToken());
  auto train = read_split(dir / "h5/train.h5");
  REQUIRE(train.size() == 22);
  for (size_t i = 0; i < train.size(); ++i) CHECK(train[i] == test::pattern_trajectory(3, uint32_t(i)));
}

TEST_CASE("output is identical at 1 and N threads") {
  test::TempDir dir;
  write_tree(dir / "src", 3, 7, 4);
  for (int threads : {1, 4}) {
    auto o = options_for(dir / "src", dir / fmt::format("h5-{}", threads));
    o.threads = threads;
    o.compression = h5::Compression::parse("deflate:3");
    convert(o, CancelToken());
  }
  for (const char* split : {"train.h5", "validate.h5", "test.h5"}) {
    CHECK(test::files_equal(dir / "h5-1" / split, dir / "h5-4" / split));
  }
}

TEST_CASE("a damaged record stops the run with its location and leaves no output") {
  test::TempDir dir;
  write_tree(dir / "src", 2, 3, 3);
  auto file = dir / "src/train/traj_3_to_5.tfrecords";
  uint64_t record_size = fs::file_size(file) / 3;
  corrupt(file, record_size + 40);  // inside record 1's payload
  auto o = options_for(dir / "src", dir / "h5");
  try {
    convert(o, CancelToken());
    FAIL("no error");
  } catch (const RecordError& e) {
    CHECK(e.fault() == RecordFault::data_crc);
    CHECK(e.where().index == 1);
    CHECK(e.where().offset == record_size);
    CHECK(std::string(e.what()).find("traj_3_to_5.tfrecords: record 1 at byte") != std::string::npos);
  }
  for (const char* split : {"train.h5", "validate.h5", "test.h5"}) {
    CHECK(!fs::exists(dir / "h5" / split));
    CHECK(!fs::exists(dir / "h5" / (std::string(split) + ".partial")));
  }
}

TEST_CASE("--skip-corrupt skips and counts damaged records") {
  test::TempDir dir;
  write_tree(dir / "src", 2, 3, 3);
  auto file = dir / "src/train/traj_0_to_2.tfrecords";
  uint64_t record_size = fs::file_size(file) / 3;
  corrupt(file, 2);                             // record 0: length
  corrupt(file, 2 * record_size + 20);          // record 2: payload
  auto o = options_for(dir / "src", dir / "h5");
  o.skip_corrupt = true;
  o.validate_fraction = 0;
  auto report = convert(o, CancelToken());
  REQUIRE(report.skipped.size() == 2);
  CHECK(report.skipped[0].reason.find("bad length CRC") != std::string::npos);
  CHECK(report.skipped[1].reason.find("bad data CRC") != std::string::npos);
  auto train = read_split(dir / "h5/train.h5");
  REQUIRE(train.size() == 4);
  CHECK(train[0] == test::pattern_trajectory(3, 1));
  CHECK(train[1] == test::pattern_trajectory(3, 3));
}

TEST_CASE("an existing output is kept unless --force, and a failed run leaves it untouched") {
  test::TempDir dir;
  write_tree(dir / "src", 1, 4, 3);
  auto o = options_for(dir / "src", dir / "h5");
  convert(o, CancelToken());
  auto before = test::read_text(dir / "h5/train.h5");
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()), doctest::Contains("already exists (use --force"), Error);

  corrupt(dir / "src/train/traj_0_to_3.tfrecords", 30);
  o.force = true;
  CHECK_THROWS_AS(convert(o, CancelToken()), Error);
  CHECK(test::read_text(dir / "h5/train.h5") == before);
}

TEST_CASE("a cancelled conversion leaves no output") {
  test::TempDir dir;
  write_tree(dir / "src", 1, 4, 3);
  CancelToken cancel;
  cancel.cancel();
  CHECK_THROWS_AS(convert(options_for(dir / "src", dir / "h5"), cancel), Interrupted);
  CHECK(!fs::exists(dir / "h5/train.h5"));
  CHECK(!fs::exists(dir / "h5/train.h5.partial"));
}

TEST_CASE("PNG-dir import equals the TFRecord path for the same trajectories" * doctest::skip(!test::kHaveImageIo)) {
  test::TempDir dir;
  write_tree(dir / "src", 2, 3, 4);
  auto o = options_for(dir / "src", dir / "from-tfrecord");
  o.validate_fraction = 0;
  convert(o, CancelToken());

  // The processed layout of the same data: train/<file>/<record>/...
  h5::DatasetReader train(dir / "from-tfrecord/train.h5"), test_split(dir / "from-tfrecord/test.h5");
  for (size_t i = 0; i < train.size(); ++i) {
    write_png_dir_trajectory(train.read(i), dir / "png/train" / fmt::format("{}", i / 3) / fmt::format("{}", i % 3));
  }
  for (size_t i = 0; i < test_split.size(); ++i) {
    write_png_dir_trajectory(test_split.read(i), dir / "png/test/0" / fmt::format("{}", i));
  }
  auto p = options_for(dir / "png", dir / "from-png");
  p.from = SourceFormat::png_dir;
  p.validate_fraction = 0;
  convert(p, CancelToken());
  CHECK(read_split(dir / "from-png/train.h5") == read_split(dir / "from-tfrecord/train.h5"));
  CHECK(read_split(dir / "from-png/test.h5") == read_split(dir / "from-tfrecord/test.h5"));

  SUBCASE("a malformed CSV names the file and line") {
    std::ofstream(dir / "png/train/1/2/actions.csv") << "1,2,3,4\n1,2,3\n";
    p.force = true;
    CHECK_THROWS_WITH_AS(convert(p, CancelToken()), doctest::Contains("actions.csv line 2: expected 4 values, found 3"),
                         Error);
  }
  SUBCASE("a gap in the frames names the missing one") {
    fs::remove(dir / "png/train/0/1/1.png");
    p.force = true;
    CHECK_THROWS_WITH_AS(convert(p, CancelToken()), doctest::Contains("frame 1.png is missing"), Error);
  }
  SUBCASE("a stray PNG beside the frames is named") {
    fs::copy_file(dir / "png/train/0/1/0.png", dir / "png/train/0/1/preview.png");
    p.force = true;
    CHECK_THROWS_WITH_AS(convert(p, CancelToken()), doctest::Contains("'preview.png' is not a numbered frame"), Error);
  }
  SUBCASE("a trajectory folder one level too shallow is named") {
    fs::create_directories(dir / "png/train/9");
    fs::copy_file(dir / "png/train/0/1/0.png", dir / "png/train/9/0.png");
    p.force = true;
    CHECK_THROWS_WITH_AS(convert(p, CancelToken()), doctest::Contains("9' holds frames itself"), Error);
  }
  SUBCASE("a missing PNG names the file") {
    fs::remove(dir / "png/train/0/1/3.png");
    fs::remove(dir / "png/train/0/1/2.png");
    p.force = true;
    CHECK_THROWS_WITH_AS(convert(p, CancelToken()), doctest::Contains("rows for 2 frames"), Error);
  }
}

TEST_CASE("CSV parsing") {
  CHECK(parse_float_csv("1,2.5, -3e-2 ,4\n\n5,6,7,8\r\n", 4, "a.csv") ==
        std::vector<float>{1, 2.5f, -3e-2f, 4, 5, 6, 7, 8});
  CHECK_THROWS_WITH_AS(parse_float_csv("1,x,3\n", 3, "a.csv"), doctest::Contains("a.csv line 1"), Error);
  CHECK_THROWS_WITH_AS(parse_float_csv("1,2;3\n", 3, "a.csv"), doctest::Contains("unexpected ';'"), Error);
}

TEST_CASE("record files: .tfrecord counts too, and one that cannot be read is named, not skipped") {
  test::TempDir dir;
  write_tree(dir / "src", 2, 2, 3);
  fs::rename(dir / "src/train/traj_2_to_3.tfrecords", dir / "src/train/traj_2_to_3.tfrecord");
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0;
  CHECK(convert(o, CancelToken()).splits[0].trajectories == 4);
  fs::create_symlink(dir / "nowhere", dir / "src/train/traj_4_to_5.tfrecords");
  o.force = true;
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()),
                       doctest::Contains("traj_4_to_5.tfrecords' is not a readable file (a dangling link or a folder?)"),
                       Error);
}

TEST_CASE("--force removes a split the new conversion does not write, so old and new never mix") {
  test::TempDir dir;
  write_tree(dir / "src", 2, 10, 3);
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0.1;
  convert(o, CancelToken());
  REQUIRE(fs::exists(dir / "h5/validate.h5"));
  o.validate_fraction = 0;
  o.force = true;
  auto report = convert(o, CancelToken());
  CHECK(!fs::exists(dir / "h5/validate.h5"));
  REQUIRE(report.removed.size() == 1);
  CHECK(report.removed[0] == dir / "h5/validate.h5");
  CHECK(report.splits[0].trajectories == 20);
}

TEST_CASE("a second conversion into a folder another one is writing is refused, and harms nothing") {
  test::TempDir dir;
  write_tree(dir / "src", 1, 4, 3);
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0;
  std::optional<DirectoryLock> other(std::in_place, dir / "h5", "choose another --out");  // the first conversion
  const std::string expected = "another vidpred process is writing to '" + (dir / "h5").string() +
                               "' (still running?); wait for it or choose another --out";
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()), doctest::Contains(expected.c_str()), Error);
  CHECK(!fs::exists(dir / "h5/train.h5"));
  CHECK(!fs::exists(dir / "h5/train.h5.partial"));
  other.reset();
  CHECK(convert(o, CancelToken()).splits[0].trajectories == 4);
}

TEST_CASE("synth refuses record files it would not write, and rewrites its own") {
  test::TempDir dir;
  synth::SynthOptions s;
  s.out = dir / "synth";
  s.train = 300;  // traj_0_to_255 + traj_256_to_299
  s.test = 2;
  s.world.frames = 3;
  synth::write_bair_tfrecords(s, CancelToken());
  CHECK_NOTHROW(synth::write_bair_tfrecords(s, CancelToken()));  // the same files again
  s.train = 100;
  CHECK_THROWS_WITH_AS(synth::write_bair_tfrecords(s, CancelToken()),
                       doctest::Contains("tfrecords' is not a file this synth writes (left by a run with other "
                                         "--train/--test?)"),
                       Error);
  CHECK(fs::exists(dir / "synth/softmotion30_44k/train/traj_256_to_299.tfrecords"));  // not ours to delete
}

TEST_CASE("every split has the shape of the conversion's first trajectory") {
  test::TempDir dir;
  write_tree(dir / "src", 1, 3, 3);
  {  // a test split of 4-frame trajectories beside a 3-frame train split
    TFRecordWriter w(dir / "src/test/traj_0_to_2.tfrecords");
    for (int i = 0; i < 3; ++i) w.write(example_from_trajectory(test::pattern_trajectory(4, 1000 + i), {}));
    w.close();
  }
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0;
  const std::string first = "train/traj_0_to_2.tfrecords record 0";
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()),
                       doctest::Contains(fmt::format("traj_0_to_2.tfrecords record 0: 4 frames of 64x64, where the "
                                                     "first trajectory ({}) set 3 frames of 64x64",
                                                     first)
                                             .c_str()),
                       Error);
  o.skip_corrupt = true;
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()),
                       doctest::Contains(fmt::format("found no usable trajectory in '{}': all 3 were skipped, the "
                                                     "first (test/traj_0_to_2.tfrecords record 0) for: 4 frames",
                                                     (dir / "src/test").string())
                                             .c_str()),
                       Error);
  CHECK(!fs::exists(dir / "h5/train.h5"));
  CHECK(!fs::exists(dir / "h5/test.h5"));
}

TEST_CASE("--skip-corrupt does not let an odd first trajectory drop the rest of the dataset") {
  test::TempDir dir;
  write_tree(dir / "src", 2, 3, 3);
  {  // the first train file starts with a 5-frame trajectory
    TFRecordWriter w(dir / "src/train/traj_0_to_2.tfrecords");
    w.write(example_from_trajectory(test::pattern_trajectory(5, 0), {}));
    for (int i = 1; i < 3; ++i) w.write(example_from_trajectory(test::pattern_trajectory(3, i), {}));
    w.close();
  }
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0;
  o.skip_corrupt = true;
  // The train split keeps its first trajectory; the other 5 and the test
  // split's 3 are misshapen: the 8th skip stops the run.
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()),
                       doctest::Contains("8 trajectories were skipped for their shape and only 1 kept: the first one "
                                         "(train/traj_0_to_2.tfrecords record 0) has a shape most do not"),
                       Error);
  // With a test split of the odd shape too, the counts decide.
  {
    TFRecordWriter w(dir / "src/test/traj_0_to_2.tfrecords");
    w.write(example_from_trajectory(test::pattern_trajectory(5, 1000), {}));
    for (int i = 1; i < 3; ++i) w.write(example_from_trajectory(test::pattern_trajectory(3, 1000 + i), {}));
    w.close();
  }
  const std::string first = "train/traj_0_to_2.tfrecords record 0";
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()),
                       doctest::Contains(fmt::format("7 trajectories were skipped for their shape and only 2 kept: "
                                                     "the first one ({}) has a shape most do not",
                                                     first)
                                             .c_str()),
                       Error);
  CHECK(!fs::exists(dir / "h5/train.h5"));
  // Once the odd record is gone, the same conversion succeeds and skips only the test split's odd one.
  {
    TFRecordWriter w(dir / "src/train/traj_0_to_2.tfrecords");
    for (int i = 0; i < 3; ++i) w.write(example_from_trajectory(test::pattern_trajectory(3, i), {}));
    w.close();
  }
  auto report = convert(o, CancelToken());
  CHECK(report.skipped.size() == 1);
  CHECK(report.skipped_for_shape == 1);
  CHECK(read_split(dir / "h5/train.h5").size() == 6);
  CHECK(read_split(dir / "h5/test.h5").size() == 2);
}

TEST_CASE("a build without imgcodecs stops on PNG frames, --skip-corrupt or not" * doctest::skip(test::kHaveImageIo)) {
  test::TempDir dir;
  write_tree(dir / "src", 1, 3, 2);
  {  // the test split's frames are PNGs
    TFRecordWriter w(dir / "src/test/traj_0_to_2.tfrecords");
    for (int i = 0; i < 3; ++i) {
      tfproto::Example example;
      REQUIRE(example.ParseFromString(example_from_trajectory(test::pattern_trajectory(2, 1000 + i), {})));
      *(*example.mutable_features()->mutable_feature())["1/image_aux1/encoded"].mutable_bytes_list()->mutable_value(0) =
          test::png_frame_header();
      w.write(example.SerializeAsString());
    }
    w.close();
  }
  auto o = options_for(dir / "src", dir / "h5");
  o.validate_fraction = 0;
  o.skip_corrupt = true;
  CHECK_THROWS_WITH_AS(convert(o, CancelToken()),
                       doctest::Contains("cannot decode PNG/JPEG images: it was built without OpenCV's imgcodecs"),
                       BuildLacks);
  CHECK(!fs::exists(dir / "h5/train.h5"));
}
