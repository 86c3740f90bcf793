// `vidpred inspect` refuses damaged or foreign .h5 files with one error line
// naming the file (the reader's checks at the API level are in
// converters/h5_layout_test.cpp; this is what a user sees).
#include <doctest/doctest.h>

#include <algorithm>

#include "converters/h5/handle.h"
#include "tests/hardening/child_process.h"
#include "tests/support/h5_edit.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// A good little split to damage: 6 trajectories of 3 frames.
fs::path good_split(const test::TempDir& dir) {
  auto synth = test::run_child(VIDPRED_BINARY, {"synth", "--out", (dir / "raw").string(), "--train", "6", "--test",
                                                "2", "--frames", "3"});
  REQUIRE_MESSAGE(synth.exit_code == 0, synth.output);
  auto convert = test::run_child(VIDPRED_BINARY, {"convert", (dir / "raw/softmotion30_44k").string(), "--out",
                                                  (dir / "h5").string(), "--validate-fraction", "0"});
  REQUIRE_MESSAGE(convert.exit_code == 0, convert.output);
  return dir / "h5/train.h5";
}

fs::path damaged_copy(const fs::path& good, const fs::path& path) {
  fs::copy_file(good, path);
  return path;
}

// Replaces a dataset by one of float32 zeros in another shape.
void reshape_dataset(const fs::path& path, const char* name, std::vector<hsize_t> dims) {
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  REQUIRE(file.valid());
  REQUIRE(H5Ldelete(file, name, H5P_DEFAULT) >= 0);
  h5::Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr));
  h5::Handle dset(H5Dcreate2(file, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  REQUIRE(dset.valid());
}

// Exit code 1 and exactly one line: "vidpred: error: ... 'PATH' ... WHAT ...".
void check_refused(const fs::path& path, const std::string& what) {
  auto result = test::run_child(VIDPRED_BINARY, {"inspect", path.string()});
  CAPTURE(result.output);
  CHECK(result.exit_code == 1);
  CHECK(std::count(result.output.begin(), result.output.end(), '\n') == 1);
  CHECK(result.output.rfind("vidpred: error: ", 0) == 0);
  CHECK(result.output.find("'" + path.string() + "'") != std::string::npos);
  CHECK(result.output.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("inspect refuses a bad .h5 with one line naming the file") {
  test::TempDir dir;
  const fs::path good = good_split(dir);
  auto ok = test::run_child(VIDPRED_BINARY, {"inspect", good.string()});
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.output);

  SUBCASE("truncated to half") {
    auto path = damaged_copy(good, dir / "half.h5");
    fs::resize_file(path, fs::file_size(path) / 2);
    check_refused(path, "truncated or damaged");
  }
  SUBCASE("missing its last bytes") {
    auto path = damaged_copy(good, dir / "short.h5");
    fs::resize_file(path, fs::file_size(path) - 100);
    check_refused(path, "truncated or damaged");
  }
  SUBCASE("cut inside the superblock") {
    auto path = damaged_copy(good, dir / "stub.h5");
    fs::resize_file(path, 40);
    check_refused(path, "stub.h5");
  }
  SUBCASE("another layout version") {
    auto path = damaged_copy(good, dir / "v2.h5");
    test::set_int_attribute(path, "layout_version", 3);
    check_refused(path, "has layout version 3; this vidpred reads versions 1 to 2");
  }
  SUBCASE("frames of another shape than the attributes say") {
    auto path = damaged_copy(good, dir / "frames.h5");
    test::set_int_attribute(path, "frames", 4);
    check_refused(path, "dataset 'frames' has shape (6, 3, 64, 64, 3), expected (6, 4, 64, 64, 3)");
  }
  SUBCASE("actions of the wrong width") {
    auto path = damaged_copy(good, dir / "actions.h5");
    reshape_dataset(path, "actions", {6, 3, 5});
    check_refused(path, "dataset 'actions' has shape (6, 3, 5), expected (6, 3, 4)");
  }
  SUBCASE("implausible attributes") {
    auto path = damaged_copy(good, dir / "height.h5");
    test::set_int_attribute(path, "height", -64);
    check_refused(path, "implausible frames/height/width");
  }
}
