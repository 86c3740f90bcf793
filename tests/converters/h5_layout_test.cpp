#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "converters/h5/layout.h"
#include "pipeline/core/error.h"
#include "tests/support/h5_edit.h"
#include "tests/support/temp_dir.h"
#include "tests/support/trajectories.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

h5::SplitInfo info(int frames) {
  h5::SplitInfo i;
  i.frames = frames;
  i.split = "train";
  i.created_with = "test";
  return i;
}

fs::path write_split(const fs::path& path, int n, int frames, const char* compression) {
  h5::DatasetWriter writer(path, info(frames), h5::Compression::parse(compression));
  for (int i = 0; i < n; ++i) writer.append(test::pattern_trajectory(frames, i), "train/a.tfrecords", i);
  writer.commit();
  return path;
}

std::string open_error(const fs::path& path) {
  try {
    h5::DatasetReader reader(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("trajectories read back exactly, whole and by frame window") {
  test::TempDir dir;
  for (const char* compression : {"none", "deflate", "deflate:9"}) {
    CAPTURE(compression);
    auto path = write_split(dir / "split.h5", 3, 6, compression);
    h5::DatasetReader reader(path);
    REQUIRE(reader.size() == 3);
    CHECK(reader.compression().str() == h5::Compression::parse(compression).str());
    for (size_t i = 0; i < 3; ++i) {
      Trajectory expected = test::pattern_trajectory(6, uint32_t(i));
      CHECK(reader.read(i) == expected);
      CHECK(reader.source_file(i) == "train/a.tfrecords");
      CHECK(reader.source_record(i) == i);
      std::vector<uint8_t> window(3 * reader.frame_bytes());
      reader.decode(reader.read_chunk(i), i, 2, 3, window.data());
      CHECK(std::equal(window.begin(), window.end(), expected.pixels.begin() + 2 * reader.frame_bytes()));
    }
    CHECK(reader.attributes().at("layout_version") == "2");
    CHECK(reader.attributes().at("split") == "train");
    fs::remove(path);
  }
}

TEST_CASE("one flipped byte in any stored chunk is found, whichever frames are read; version 1 files read unchecked") {
  test::TempDir dir;
  for (const char* compression : {"none", "deflate"}) {
    CAPTURE(compression);
    auto path = write_split(dir / "split.h5", 3, 6, compression);
    h5::RawChunk chunk = h5::DatasetReader(path).read_chunk(1);
    // Flip the chunk's last byte on disk: frame 5, which a window of frames 0..1 never decodes.
    const std::string bytes = test::read_text(path);
    const auto at = bytes.find(std::string(chunk.bytes.data(), chunk.bytes.size()));
    REQUIRE(at != std::string::npos);
    {
      std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(std::streamoff(at + chunk.bytes.size() - 1));
      file.put(char(bytes[at + chunk.bytes.size() - 1] ^ 0x10));
    }
    {
      h5::DatasetReader reader(path);
      std::vector<uint8_t> window(2 * reader.frame_bytes());
      CHECK_THROWS_WITH_AS(reader.decode(reader.read_chunk(1), 1, 0, 2, window.data()),
                           doctest::Contains("split.h5' sample 1 (from train/a.tfrecords record 1): stored chunk is "
                                             "damaged (CRC-32C mismatch)"),
                           Error);
      CHECK(reader.read(0) == test::pattern_trajectory(6, 0));  // its neighbours are fine
    }

    // The same file as version 1 (no checksums): read, unchecked.
    test::set_int_attribute(path, "layout_version", 1);
    h5::DatasetReader old(path);
    CHECK(old.read(0) == test::pattern_trajectory(6, 0));
    fs::remove(path);
  }
}

TEST_CASE("an uncommitted writer leaves no file, and a leftover .partial is replaced") {
  test::TempDir dir;
  {
    h5::DatasetWriter writer(dir / "x.h5", info(4), h5::Compression::parse("none"));
    writer.append(test::pattern_trajectory(4, 1), "f", 0);
    CHECK(fs::exists(dir / "x.h5.partial"));
  }
  CHECK(!fs::exists(dir / "x.h5"));
  CHECK(!fs::exists(dir / "x.h5.partial"));

  std::ofstream(dir / "x.h5.partial") << "left by a killed run";
  h5::DatasetWriter writer(dir / "x.h5", info(4), h5::Compression::parse("none"));
  CHECK(writer.replaced_leftover());
  writer.append(test::pattern_trajectory(4, 1), "f", 0);
  writer.commit();
  CHECK(h5::DatasetReader(dir / "x.h5").size() == 1);
  CHECK(!fs::exists(dir / "x.h5.partial"));
}

TEST_CASE("a trajectory of another shape is refused") {
  test::TempDir dir;
  h5::DatasetWriter writer(dir / "x.h5", info(4), h5::Compression::parse("none"));
  CHECK_THROWS_WITH_AS(writer.append(test::pattern_trajectory(5, 1), "f", 0),
                       doctest::Contains("5 frames"), Error);
}

TEST_CASE("the reader refuses files it does not understand, naming file and reason") {
  test::TempDir dir;
  SUBCASE("missing") { CHECK(open_error(dir / "none.h5").find("does not exist") != std::string::npos); }
  SUBCASE("not HDF5") {
    std::ofstream(dir / "text.h5") << "hello";
    auto message = open_error(dir / "text.h5");
    CHECK(message.find("text.h5") != std::string::npos);
    CHECK(message.find("not an HDF5 file") != std::string::npos);
  }
  SUBCASE("HDF5 of another kind") {
    h5::Handle file(H5Fcreate((dir / "other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    file.close();
    CHECK(open_error(dir / "other.h5").find("no 'layout_version' attribute") != std::string::npos);
  }
  SUBCASE("another layout version") {
    auto path = write_split(dir / "v3.h5", 2, 4, "none");
    test::set_int_attribute(path, "layout_version", 3);
    CHECK(open_error(path).find("has layout version 3; this vidpred reads versions 1 to 2") != std::string::npos);
  }
  SUBCASE("a non-integer attribute") {
    auto path = write_split(dir / "text.h5", 2, 4, "none");
    {
      h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
      REQUIRE(H5Adelete(file, "frames") >= 0);
      h5::Handle type(H5Tcopy(H5T_C_S1));
      H5Tset_size(type, 3);
      h5::Handle space(H5Screate(H5S_SCALAR));
      h5::Handle attr(H5Acreate2(file, "frames", type, space, H5P_DEFAULT, H5P_DEFAULT));
      REQUIRE(H5Awrite(attr, type, "abc") >= 0);
    }
    CHECK(open_error(path).find("attribute 'frames' is 'abc', not an integer") != std::string::npos);
  }
  SUBCASE("wrong shapes") {
    auto path = write_split(dir / "shape.h5", 2, 4, "none");
    test::set_int_attribute(path, "frames", 5);
    auto message = open_error(path);
    CHECK(message.find("'frames' has shape (2, 4, 64, 64, 3), expected (2, 5, 64, 64, 3)") != std::string::npos);
  }
  SUBCASE("truncated") {
    auto path = write_split(dir / "cut.h5", 3, 4, "none");
    fs::resize_file(path, fs::file_size(path) / 2);
    auto message = open_error(path);
    CHECK(message.find("cut.h5") != std::string::npos);
    CHECK(message != "(no error)");
  }
}

TEST_CASE("compression names parse, and bad ones are refused") {
  CHECK(h5::Compression::parse("deflate").str() == "deflate:1");
  CHECK(h5::Compression::parse("deflate:6").level == 6);
  CHECK_THROWS_WITH_AS(h5::Compression::parse("zstd"), doctest::Contains("unknown compression 'zstd'"), Error);
  CHECK_THROWS_AS(h5::Compression::parse("deflate:0"), Error);
}
