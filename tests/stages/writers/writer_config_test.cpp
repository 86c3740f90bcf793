// All writers together, built from TOML as a run builds them: their keys are
// validated with messages naming the key, and a whole run through every
// writer lists each file it wrote and leaves nothing half-written.
#include <doctest/doctest.h>

#include <set>

#include <fmt/format.h>

#include "pipeline/config/config_error.h"
#include "tests/stages/writers/writer_fixtures.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// The writers this build has, each with a value out of its range.
struct Case {
  const char* type;
  const char* bad_key;
  const char* bad_value;
};
std::vector<Case> available_writers() {
  std::vector<Case> cases;
#ifdef VIDPRED_HAVE_GIF
  cases.push_back({"gif", "delay_ms", "5"});
#endif
#ifdef VIDPRED_HAVE_IMAGE_IO
  cases.push_back({"png_grid", "scale", "0"});
  cases.push_back({"video", "fps", "0.0"});
  cases.push_back({"curve_png", "width", "20"});
#endif
  cases.push_back({"tensorboard", "images", "-1"});
  return cases;
}

std::string config_error(const std::string& toml) {
  try {
    test::make_writers(toml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("writers: every writer this build has is registered under its name") {
  Registry registry = test::writer_registry();
  for (const auto& c : available_writers()) {
    CAPTURE(c.type);
    const StageInfo* info = registry.find("writer", c.type);
    REQUIRE(info != nullptr);
    CHECK(!info->summary.empty());
    for (const auto& key : info->schema.keys()) CHECK_MESSAGE(!key.doc.empty(), key.name);
  }
}

TEST_CASE("writers: an unknown key or a value out of range is a ConfigError naming the key") {
  for (const auto& c : available_writers()) {
    CAPTURE(c.type);
    std::string unknown = config_error(fmt::format("[[outputs]]\ntype = '{}'\nbogus_key = 1\n", c.type));
    CHECK(unknown.find("run.toml") != std::string::npos);
    CHECK(unknown.find("[outputs[0]] unknown key 'bogus_key'") != std::string::npos);

    std::string range = config_error(fmt::format("[[outputs]]\ntype = '{}'\n{} = {}\n", c.type, c.bad_key, c.bad_value));
    CHECK(range.find(fmt::format("key '{}'", c.bad_key)) != std::string::npos);
    CHECK(range.find("out of range") != std::string::npos);
  }
#ifdef VIDPRED_HAVE_IMAGE_IO
  CHECK(config_error("[[outputs]]\ntype = 'video'\nformat = 'mkv'\n").find("'mkv' is not one of: avi, mp4") !=
        std::string::npos);
#endif
}

TEST_CASE("writers: a run through every writer lists each file written and leaves no .partial file") {
  std::string toml;
  for (const auto& c : available_writers()) toml += fmt::format("[[outputs]]\ntype = '{}'\n", c.type);
  if (toml.empty()) return;  // nothing to write with in this build
  auto writers = test::make_writers(toml);

  test::TempDir dir;
  stages::Figure curve{"loss", "Loss", "epoch", "loss", {{"train", {1, 2, 3}, {0.5, 0.25, 0.2}}}};
  for (auto& writer : writers) {
    writer->begin({dir.path(), "train"});
    for (int epoch = 1; epoch <= 3; ++epoch) writer->epoch(epoch, {{"loss", 1.0 / epoch}});
    writer->end({curve}, {{"loss", 0.2}});
    writer->begin({dir / "eval", "eval"});
    for (int64_t index = 0; index < 6; ++index) writer->sequence(test::synthetic_sequence(index, 2, 6));
    writer->end({stages::Figure{"psnr_per_step", "PSNR", "step", "dB", {{"best", {1, 2, 3}, {30, 28, 27}}}}},
                {{"psnr", 28.0}});
  }

  std::set<fs::path> listed;
  for (const auto& writer : writers) {
    CHECK_FALSE(writer->files().empty());
    for (const auto& path : writer->files()) {
      CAPTURE(path);
      CHECK(fs::is_regular_file(path));
      CHECK(fs::file_size(path) > 0);
      listed.insert(path);
    }
  }
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    CAPTURE(entry.path());
    CHECK(listed.count(entry.path()) == 1);  // nothing written that is not listed
  }
  CHECK(test::partial_files(dir.path()).empty());
}
