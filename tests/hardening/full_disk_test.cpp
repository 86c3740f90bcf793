// A full disk, simulated with a file-size limit (RLIMIT_FSIZE; vidpred
// ignores SIGXFSZ, so a write fails with EFBIG instead of killing it): one
// clear error line naming the file, exit code 1, nothing half-written under a
// final name, and a previous good output untouched.
#include <doctest/doctest.h>

#include <algorithm>

#include "converters/tfrecord.h"
#include "tests/hardening/child_process.h"
#include "tests/hardening/outputs.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

size_t lines(const std::string& text) { return size_t(std::count(text.begin(), text.end(), '\n')); }

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }


// The error line must name a file of the output (its .partial is the one written).
bool names_an_output(const std::string& line, const fs::path& out) {
  for (const auto& name : test::split_files()) {
    if (line.find((out / name).string()) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("convert on a full disk fails with one line and keeps the old output") {
  test::TempDir dir;
  auto synth = test::run_child(VIDPRED_BINARY, {"synth", "--out", (dir / "raw").string(), "--train", "40", "--test",
                                                "8", "--frames", "6", "--seed", "4"});
  REQUIRE_MESSAGE(synth.exit_code == 0, synth.output);
  const fs::path source = dir / "raw/softmotion30_44k", out = dir / "out";
  auto good = test::run_child(VIDPRED_BINARY, test::convert_args(source, out));
  REQUIRE_MESSAGE(good.exit_code == 0, good.output);
  const auto before = test::folder_bytes(out);
  REQUIRE(before.size() == 3);
  // Room for less than half of train.h5.
  const uint64_t limit = before.at("train.h5").size() / 2;

  SUBCASE("replacing a good output") {
    auto full = test::run_child(VIDPRED_BINARY, test::convert_args(source, out), {limit});
    CHECK(full.exit_code == 1);
    CHECK(lines(full.output) == 1);
    CHECK(starts_with(full.output, "vidpred: error: "));
    CHECK_MESSAGE(names_an_output(full.output, out), full.output);
    CHECK(test::folder_bytes(out) == before);  // byte-identical, no .partial left
  }
  SUBCASE("--skip-corrupt skips damaged records, never write errors") {
    auto args = test::convert_args(source, out);
    args.push_back("--skip-corrupt");
    auto full = test::run_child(VIDPRED_BINARY, args, {limit});
    CHECK(full.exit_code == 1);
    CHECK(lines(full.output) == 1);
    CHECK_MESSAGE(names_an_output(full.output, out), full.output);
    CHECK(test::folder_bytes(out) == before);
  }
  SUBCASE("a first run") {
    const fs::path fresh = dir / "fresh";
    auto full = test::run_child(VIDPRED_BINARY, test::convert_args(source, fresh), {limit});
    CHECK(full.exit_code == 1);
    CHECK(lines(full.output) == 1);
    CHECK_MESSAGE(names_an_output(full.output, fresh), full.output);
    CHECK(test::folder_bytes(fresh).empty());
  }
}

TEST_CASE("synth on a full disk leaves no half-written .tfrecords under a final name") {
  test::TempDir dir;
  // A train file of 256 trajectories (12.6 MB) and a test file of 10 (0.5 MB):
  // the limit stops the first; the second may complete before the run stops.
  const uint64_t limit = 1 << 20;
  auto full = test::run_child(VIDPRED_BINARY, {"synth", "--out", dir.path().string(), "--train", "256", "--test",
                                               "10", "--frames", "2", "--seed", "3", "--threads", "2"},
                              {limit});
  CHECK(full.exit_code == 1);
  CHECK(lines(full.output) == 1);
  CHECK(starts_with(full.output, "vidpred: error: "));
  CHECK_MESSAGE(full.output.find("traj_0_to_255.tfrecords") != std::string::npos, full.output);
  CHECK(test::files_ending(dir.path(), ".partial").empty());
  CHECK(!fs::exists(dir / "softmotion30_44k/train/traj_0_to_255.tfrecords"));
  // Whatever did get its final name is complete: every record of its range, intact.
  for (const auto& file : test::files_ending(dir.path(), ".tfrecords")) {
    CAPTURE(file);
    auto name = file.filename().string();  // traj_A_to_B.tfrecords
    uint64_t first = std::stoull(name.substr(5)), last = std::stoull(name.substr(name.find("_to_") + 4));
    TFRecordReader reader(file);
    uint64_t records = 0;
    while (reader.next()) ++records;  // throws on any damage
    CHECK(records == last - first + 1);
  }
}
