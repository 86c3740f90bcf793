// The stage list (stages/stages.def) against the stage files, and every
// registered stage against its own schema: a stage whose registration line is
// missing from stages.def is silently never registered, and a stage whose
// defaults its constructor rejects fails only in the run that first uses it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "pipeline/config/config.h"
#include "stages/data/data_source.h"
#include "stages/kinematics/kinematics.h"
#include "stages/metrics/metric.h"
#include "stages/optim/optimizer.h"
#include "stages/planning/cost.h"
#include "stages/planning/planner.h"
#include "stages/predictors/predictor.h"
#include "stages/priors/prior_stage.h"
#include "stages/register.h"
#include "stages/schedules/annealer.h"
#include "stages/schedules/learning_rate.h"
#include "stages/schedules/teacher_forcing.h"
#include "stages/writers/writer.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// The first group of `pattern` in each line of `file` it matches.
std::set<std::string> captures(const fs::path& file, const std::regex& pattern) {
  std::set<std::string> out;
  std::ifstream in(file);
  std::smatch match;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, match, pattern)) out.insert(match[1]);
  }
  return out;
}

std::string listed(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += " " + name;
  return out;
}

// Builds every stage of Interface's kind from the defaults of its schema,
// with a placeholder for each required key (no constructor opens what a key
// names), and notes the kind as covered.
template <class Interface>
void build_each(const Registry& registry, std::set<std::string>& covered) {
  const std::string kind = Interface::kKind;
  covered.insert(kind);
  for (const auto& name : registry.names(kind)) {
    const StageInfo& info = *registry.find(kind, name);
    if (!info.missing.empty()) continue;  // this build lacks it
    std::string text = "[stage]\ntype = '" + name + "'\n";
    for (const KeySpec& key : info.schema.keys()) {
      if (key.required) text += key.name + " = 'placeholder'\n";
    }
    std::string where = kind + " '" + name + "'";
    CAPTURE(where);
    Schema schema = Schema().stage("stage", kind, name, "the stage under test");
    Config config = Config::parse(text, "defaults.toml", {}, schema, registry);
    CHECK_NOTHROW(registry.create<Interface>(config.section("stage")));
  }
}

}  // namespace

TEST_CASE("stages.def (with writers.def) lists exactly the stages that the files in stages/ register") {
  const fs::path root = fs::path(VIDPRED_SOURCE_DIR) / "stages";
  const std::regex in_source(R"(^\s*VIDPRED_(?:REGISTER|SKIP)_STAGE\((\w+)[,)])");
  const std::regex in_def(R"(^\s*VIDPRED_STAGE\((\w+)\))");
  std::set<std::string> registered, in_list;  // the list: stages.def and the .def files it includes
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const fs::path extension = entry.path().extension();
    if (extension == ".def") {
      for (const auto& name : captures(entry.path(), in_def)) in_list.insert(name);
    } else if (extension == ".cpp" || extension == ".h") {
      for (const auto& name : captures(entry.path(), in_source)) registered.insert(name);
    }
  }
  REQUIRE_FALSE(registered.empty());
  std::set<std::string> unlisted, stale;
  for (const auto& name : registered) {
    if (!in_list.count(name)) unlisted.insert(name);
  }
  for (const auto& name : in_list) {
    if (!registered.count(name)) stale.insert(name);
  }
  CHECK_MESSAGE(unlisted.empty(),
                "registered in stages/ but in no stage list (stages.def and what it includes):" << listed(unlisted));
  CHECK_MESSAGE(stale.empty(), "in a stage list but registered by no file in stages/:" << listed(stale));
}

TEST_CASE("every registered stage can be built from its schema's defaults") {
  Registry registry = stages::make_registry();
  std::set<std::string> covered;
  build_each<stages::DataSource>(registry, covered);
  build_each<stages::Augmenter>(registry, covered);
  build_each<stages::Annealer>(registry, covered);
  build_each<stages::TeacherForcing>(registry, covered);
  build_each<stages::OptimizerStage>(registry, covered);
  build_each<stages::LearningRateSchedule>(registry, covered);
  build_each<stages::PriorStage>(registry, covered);
  build_each<stages::Metric>(registry, covered);
  build_each<stages::Predictor>(registry, covered);
  build_each<stages::Kinematics>(registry, covered);
  build_each<stages::Planner>(registry, covered);
  build_each<stages::Cost>(registry, covered);
  build_each<stages::Writer>(registry, covered);
  auto kinds = registry.kinds();
  CHECK_MESSAGE(covered == std::set<std::string>(kinds.begin(), kinds.end()),
                "a kind of stage this test does not build: add its interface above");
}
