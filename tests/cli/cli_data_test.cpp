// The data subcommands as a user runs them: exit codes and one-line errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "tests/support/features.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

TEST_CASE("vidpred --help lists the subcommands, and each has its own help") {
  auto help = test::run_vidpred("--help");
  CHECK(help.exit_code == 0);
  for (const char* sub : {"synth", "convert", "inspect", "bench"}) CHECK(help.output.find(sub) != std::string::npos);
  auto convert_help = test::run_vidpred("convert --help");
  CHECK(convert_help.exit_code == 0);
  CHECK(convert_help.output.find("--skip-corrupt") != std::string::npos);
  CHECK(convert_help.output.find("--compression") != std::string::npos);
}

TEST_CASE("vidpred without a subcommand prints the help and exits with status 2") {
  // issue 16: it exited with CLI11's status 106 and one line.
  auto bare = test::run_vidpred("");
  CHECK(bare.exit_code == 2);
  CHECK(bare.output.find("Usage:") != std::string::npos);
  CHECK(bare.output.find("convert") != std::string::npos);
  auto bench = test::run_vidpred("bench");
  CHECK(bench.exit_code == 2);
  CHECK(bench.output.find("crc") != std::string::npos);
  // A missing option of a command is still CLI11's own error.
  CHECK(test::run_vidpred("synth").exit_code != 2);
}

TEST_CASE("synth, convert and inspect work end to end") {
  test::TempDir dir;
  auto d = dir.path().string();
  auto synth = test::run_vidpred("synth --out " + d + "/raw --train 20 --test 5 --seed 3 --frames 4");
  REQUIRE_MESSAGE(synth.exit_code == 0, synth.output);
  auto convert = test::run_vidpred("convert " + d + "/raw/softmotion30_44k --out " + d + "/h5 --validate-fraction 0.1");
  REQUIRE_MESSAGE(convert.exit_code == 0, convert.output);
  CHECK(convert.output.find("train 18, validate 2, test 5") != std::string::npos);

  auto inspect = test::run_vidpred("inspect " + d + "/h5/train.h5");
  REQUIRE_MESSAGE(inspect.exit_code == 0, inspect.output);
  CHECK(inspect.output.find("18 trajectories") != std::string::npos);
  CHECK(inspect.output.find("(18, 4, 64, 64, 3)") != std::string::npos);

  auto dump = test::run_vidpred("inspect " + d + "/h5/train.h5 --dump 2 " + d + "/dump");
  if (test::kHaveImageIo) {
    REQUIRE_MESSAGE(dump.exit_code == 0, dump.output);
    CHECK(fs::exists(dir / "dump/3.png"));
    CHECK(fs::exists(dir / "dump/actions.csv"));
  } else {
    CHECK(dump.exit_code == 1);
    CHECK_MESSAGE(dump.output.find("cannot encode PNG/JPEG images: it was built without OpenCV's imgcodecs") !=
                      std::string::npos,
                  dump.output);
  }

  auto records = test::run_vidpred("inspect " + d + "/raw/softmotion30_44k/test/traj_0_to_4.tfrecords");
  REQUIRE_MESSAGE(records.exit_code == 0, records.output);
  CHECK(records.output.find("5 records read, 0 damaged") != std::string::npos);
  CHECK(records.output.find("camera main: 5 records") != std::string::npos);
}

TEST_CASE("inspect of a file that is neither HDF5 nor TFRecords is one clear line") {
  test::TempDir dir;
  std::ofstream(dir / "notes.txt") << "just some text, not a dataset\n";
  auto result = test::run_vidpred("inspect " + (dir / "notes.txt").string());
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("vidpred: error: '" + (dir / "notes.txt").string() +
                           "' is neither an HDF5 dataset nor a TFRecord file") == 0);
  CHECK(std::count(result.output.begin(), result.output.end(), '\n') == 1);
}

TEST_CASE("convert without a source folder names it") {
  test::TempDir dir;
  auto result = test::run_vidpred("convert " + (dir / "nowhere").string() + " --out " + (dir / "h5").string());
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("nowhere' is not a directory") != std::string::npos);
}

TEST_CASE("a misspelt command is named, with the nearest one and the list") {
  auto top = test::run_vidpred("synht --out x");
  CHECK(top.exit_code != 0);
  CHECK(top.output.find("vidpred: error: unknown command 'synht' (did you mean 'synth'?); commands: synth, convert") ==
        0);
  auto bench = test::run_vidpred("bench crcc");
  CHECK(bench.exit_code != 0);
  CHECK(bench.output.find("vidpred: error: unknown bench command 'crcc' (did you mean 'crc'?)") == 0);
  auto version = test::run_vidpred("--version");
  CHECK(version.exit_code == 0);
  REQUIRE(!version.output.empty());
  CHECK(std::isdigit(static_cast<unsigned char>(version.output[0])));  // the project's version, 0.1.0
  CHECK(std::count(version.output.begin(), version.output.end(), '.') == 2);
}
