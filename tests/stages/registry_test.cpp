// The real registry and run schema: messages, overrides, the shipped configs.
#include <doctest/doctest.h>

#include "pipeline/config/config_error.h"
#include "pipeline/core/atomic_file.h"
#include "stages/predictors/predictor.h"
#include "tests/support/run_config.h"

using namespace vidpred;

namespace {

std::string error_of(const std::vector<std::string>& overrides) {
  Registry registry = stages::make_registry();
  try {
    test::tiny_config(registry, "data", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

Config load_config(const std::string& name, std::vector<std::string> overrides = {}) {
  Registry registry = stages::make_registry();
  return Config::load(std::string(VIDPRED_SOURCE_DIR) + "/configs/" + name, overrides, run_schema(), registry);
}

}  // namespace

TEST_CASE("unknown stage names, unknown keys, wrong types and out-of-range values name the key") {
  CHECK(error_of({"annealer.type=cyclicall"}).find("unknown annealer 'cyclicall' (did you mean 'cyclical'?)") !=
        std::string::npos);
  CHECK(error_of({"optimizer.learning_rate=0.1"}).find("[optimizer] unknown key 'learning_rate'") != std::string::npos);
  CHECK(error_of({"optimizer.lr=\"fast\""}).find("[optimizer] key 'lr': expected float, found string") !=
        std::string::npos);
  CHECK(error_of({"annealer.ratio=2.0"}).find("[annealer] key 'ratio': 2 is out of range") != std::string::npos);
  CHECK(error_of({"data.batch_size=0"}).find("[data] key 'batch_size': 0 is out of range") != std::string::npos);
  CHECK(error_of({"eval.metrics=[{type='psnr'}, {type='lpips'}]"}).find("unknown metric 'lpips'") != std::string::npos);
}

TEST_CASE("--set overrides win over the file") {
  Config c = load_config("test-tiny.toml", {"data.root=elsewhere", "train.epochs=9", "prior.type=learned"});
  CHECK(c.section("train").integer("epochs") == 9);
  CHECK(c.section("data").string("root") == "elsewhere");
  CHECK(c.section("prior").type() == "learned");
  CHECK(c.section("prior").integer("layers") == 1);  // the learned prior's defaults filled in
}

TEST_CASE("config show of every shipped config round-trips") {
  Registry registry = stages::make_registry();
  for (const char* name : {"bair.toml", "synthetic-small.toml", "test-tiny.toml"}) {
    CAPTURE(name);
    Config c = load_config(name);
    std::string text = c.to_toml(run_schema(), registry);
    Config again = Config::parse(text, "resolved.toml", {}, run_schema(), registry);
    CHECK(again.table() == c.table());
  }
}

TEST_CASE("bair.toml holds the reference defaults") {
  Config c = load_config("bair.toml");
  CHECK(c.section("model").real("width") == 1.0);
  CHECK(c.section("train").integer("epochs") == 40);
  CHECK(c.section("train").integer("n_past") == 2);
  CHECK(c.section("train").integer("n_future") == 10);
  CHECK(c.section("data").integer("batch_size") == 16);
  CHECK(c.section("optimizer").type() == "adam");
  CHECK(c.section("optimizer").real("lr") == 0.002);
  CHECK(c.section("loss").real("beta") == 1e-4);
  CHECK(c.section("annealer").type() == "cyclical");
  CHECK(c.section("run").integer("seed") == 1);
  CHECK(c.root().list("augment").empty());
  // issue 16: without [[outputs]], the README's real-BAIR commands left no picture.
  std::vector<std::string> outputs;
  for (const auto& o : c.root().list("outputs")) outputs.push_back(o.type());
  CHECK(outputs == std::vector<std::string>{"html_report", "curve_png", "gif", "png_grid", "tensorboard"});
  for (size_t shown : {0, 2}) {  // the page and the GIFs show the sequences eval keeps
    CHECK(c.root().list("outputs")[shown].integer("sequences") == c.section("eval").integer("visualize"));
  }
}

TEST_CASE("the baselines' former names copy-last and mean-frame still select them, as copy_last and mean_frame") {
  Registry registry = stages::make_registry();
  Config c = load_config("test-tiny.toml", {"eval.baselines=[{type='copy-last'}, {type='mean-frame'}]"});
  auto tables = c.section("eval").list("baselines");
  REQUIRE(tables.size() == 2);
  CHECK(tables[0].type() == "copy_last");
  CHECK(tables[1].type() == "mean_frame");
  auto baselines = registry.create_all<stages::Predictor>(tables);
  CHECK(baselines[0]->name() == "copy_last");
  CHECK(baselines[1]->name() == "mean_frame");
  CHECK(registry.find("predictor", "copy-last")->name == "copy_last");
}
