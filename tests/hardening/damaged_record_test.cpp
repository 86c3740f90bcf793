// A record whose payload is not a tf.train.Example (here: a feature key that
// is not UTF-8, which protobuf refuses) is reported by vidpred alone, in its
// one line, without protobuf's own log line beside it.
#include <doctest/doctest.h>

#include <algorithm>

#include "converters/tfrecord.h"
#include "pipeline/core/atomic_file.h"
#include "tests/hardening/child_process.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// Example { features { feature { key: "\xff" value: {} } } }, by hand.
const std::string kNotUtf8Key("\x0a\x07\x0a\x05\x0a\x01\xff\x12\x00", 9);

}  // namespace

TEST_CASE("a record protobuf refuses is reported in vidpred's words only") {
  test::TempDir dir;
  auto synth = test::run_child(VIDPRED_BINARY, {"synth", "--out", dir.path().string(), "--train", "3", "--test",
                                                "1", "--frames", "2"});
  REQUIRE_MESSAGE(synth.exit_code == 0, synth.output);
  const fs::path train = dir / "softmotion30_44k/train/traj_0_to_2.tfrecords";
  std::string bytes = read_file(train);
  write_file_atomically(train, bytes + frame_record(kNotUtf8Key));

  auto inspect = test::run_child(VIDPRED_BINARY, {"inspect", train.string()});
  CHECK(inspect.exit_code == 0);
  CHECK_MESSAGE(inspect.output.find("record 3 at byte " + std::to_string(bytes.size()) +
                                    ": not a tf.train.Example") != std::string::npos,
                inspect.output);
  CHECK_MESSAGE(inspect.output.find("libprotobuf") == std::string::npos, inspect.output);

  auto convert = test::run_child(VIDPRED_BINARY, {"convert", (dir / "softmotion30_44k").string(), "--out",
                                                  (dir / "h5").string()});
  CHECK(convert.exit_code == 1);
  CHECK_MESSAGE(std::count(convert.output.begin(), convert.output.end(), '\n') == 1, convert.output);
  CHECK(convert.output.find("traj_0_to_2.tfrecords: record 3") != std::string::npos);
}
