// The run-config fuzzer validates against stages.toml; a description that
// drifted from its stage would fuzz a schema nobody uses. The file must be
// what the real registry writes, and must read back to the same stages.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "stages/register.h"
#include "tests/fuzz/stage_descriptions.h"

using namespace vidpred;

namespace {

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<const StageInfo*> every_stage(const Registry& registry) {
  std::vector<const StageInfo*> out;
  for (const auto& kind : registry.kinds()) {
    for (const auto& name : registry.names(kind)) out.push_back(registry.find(kind, name));
  }
  return out;
}

}  // namespace

TEST_CASE("tests/fuzz/stages.toml describes every stage as the real registry does") {
  const std::string file = file_text(VIDPRED_FUZZ_STAGES);
  Registry described = fuzz::registry_of_descriptions(file, VIDPRED_FUZZ_STAGES);
  Registry real = stages::make_registry();
  std::vector<const StageInfo*> stages = every_stage(real);
  for (const StageInfo*& stage : stages) {
    if (stage->missing.empty()) continue;
    // This build lacks the stage, and so its schema: the file keeps its own.
    const StageInfo* kept = described.find(stage->kind, stage->name);
    REQUIRE_MESSAGE(kept, "this build lacks " << stage->kind << " '" << stage->name
                                              << "', which stages.toml does not describe: regenerate it in a build "
                                                 "that has the stage");
    stage = kept;
  }
  const std::string expected = fuzz::describe_stages(stages);
  if (expected != file) {
    const auto fresh = std::filesystem::absolute("stages.toml");
    std::ofstream(fresh, std::ios::binary) << expected;
    FAIL_CHECK("tests/fuzz/stages.toml is stale: copy " << fresh.string() << " over it");
  }
  CHECK(fuzz::describe_stages(every_stage(described)) == file);
}
