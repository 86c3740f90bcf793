// The config machinery with a small registry of its own: validation messages,
// overrides and the round trip of the resolved output.
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/config/config_error.h"
#include "pipeline/config/registry.h"

using namespace vidpred;

namespace {

struct Shape {
  static constexpr const char* kKind = "shape";
  static constexpr const char* kKindDoc = "shapes for the test";
  virtual ~Shape() = default;
  virtual double area() const = 0;
};

struct Square : Shape {
  using Interface = Shape;
  static constexpr const char* kName = "square";
  static constexpr const char* kSummary = "a square";
  static Schema schema() { return Schema().real("side", 1.0, "side length", {0.0, 100.0}); }
  explicit Square(const Params& p) : side(p.real("side")) {}
  double area() const override { return side * side; }
  double side;
};

struct Rectangle : Shape {
  using Interface = Shape;
  static constexpr const char* kName = "rectangle";
  static constexpr const char* kAliases[] = {"oblong"};
  static constexpr const char* kSummary = "a rectangle";
  static Schema schema() {
    return Schema().real("width", 1.0, "width", {0.0, {}}).real("height", 2.0, "height", {0.0, {}});
  }
  explicit Rectangle(const Params& p) : w(p.real("width")), h(p.real("height")) {}
  double area() const override { return w * h; }
  double w, h;
};

// No keys: no schema() and no Params constructor.
struct Dot : Shape {
  using Interface = Shape;
  static constexpr const char* kName = "dot";
  static constexpr const char* kSummary = "a point";
  double area() const override { return 0.0; }
};

Registry registry() {
  Registry r;
  r.add<Square>();
  r.add<Rectangle>();
  return r;
}

Schema run_schema() {
  return Schema()
      .table("train", Schema()
                          .integer("epochs", 40, "epochs to train", {1, 100000})
                          .real("beta", 1e-4, "KL weight", {0.0, {}})
                          .flag("last_frame_skip", false, "skip from the last frame")
                          .string("device", "auto", "where to run", {"auto", "cpu", "cuda"})
                          .real_list("weights", {0.5, 0.5}, "weights", {0.0, {}}),
             "training")
      .table("data", Schema().required_string("root", "data folder"), "data")
      .stage("shape", "shape", "square", "the shape")
      .stages("extras", "shape", {}, "more shapes");
}

Config parse(const std::string& text, std::vector<std::string> overrides = {}) {
  static const Registry r = registry();
  return Config::parse(text, "run.toml", overrides, run_schema(), r);
}

std::string error_of(const std::string& text, std::vector<std::string> overrides = {}) {
  try {
    parse(text, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kMinimal = "[data]\nroot = '/data'\n";

}  // namespace

TEST_CASE("defaults are filled in and typed getters read them") {
  Config c = parse(kMinimal);
  CHECK(c.section("train").integer("epochs") == 40);
  CHECK(c.section("train").real("beta") == doctest::Approx(1e-4));
  CHECK(c.section("train").flag("last_frame_skip") == false);
  CHECK(c.section("train").reals("weights") == std::vector<double>{0.5, 0.5});
  CHECK(c.section("shape").type() == "square");
  CHECK(c.section("shape").real("side") == 1.0);
  CHECK(c.root().list("extras").empty());
  auto shape = registry().create<Shape>(c.section("shape"));
  CHECK(shape->area() == 1.0);
}

TEST_CASE("stages are chosen by type and built from their table") {
  Config c = parse(std::string(kMinimal) + "[shape]\ntype = 'rectangle'\nwidth = 3\n[[extras]]\ntype = 'square'\nside = 2.0\n");
  Registry r = registry();
  CHECK(r.create<Shape>(c.section("shape"))->area() == 6.0);
  auto extras = r.create_all<Shape>(c.root().list("extras"));
  REQUIRE(extras.size() == 1);
  CHECK(extras[0]->area() == 4.0);
  CHECK(c.root().list("extras")[0].path() == "extras[0]");
}

TEST_CASE("a former name (an alias) selects its stage, is saved as the current name, and cannot be taken twice") {
  Config c = parse(std::string(kMinimal) + "[shape]\ntype = 'oblong'\nwidth = 3\n");
  Registry r = registry();
  CHECK(c.section("shape").type() == "rectangle");
  CHECK(r.create<Shape>(c.section("shape"))->area() == 6.0);
  CHECK(r.find("shape", "oblong")->name == "rectangle");
  CHECK(r.find("shape", "rectangle")->aliases == std::vector<std::string>{"oblong"});
  CHECK(r.names("shape") == std::vector<std::string>{"rectangle", "square"});
  CHECK(c.to_toml(run_schema(), r).find("oblong") == std::string::npos);
  CHECK_THROWS_AS(r.add_alias("shape", "oblong", "square"), std::logic_error);
  CHECK_THROWS_AS(r.add_alias("shape", "square", "rectangle"), std::logic_error);
  CHECK_THROWS_AS(r.add_alias("shape", "box", "cube"), std::logic_error);
}

TEST_CASE("a stage known by its description alone is validated like the others but cannot be built") {
  Registry r = registry();
  StageInfo circle{"shape", "circle", "a circle", Schema().real("radius", 1.0, "radius", {0.0, {}}), "", {"disc"}};
  r.add_description(circle);
  Config c = Config::parse(std::string(kMinimal) + "[shape]\ntype = 'disc'\n", "run.toml", {}, run_schema(), r);
  CHECK(c.section("shape").type() == "circle");
  CHECK(c.section("shape").real("radius") == 1.0);
  CHECK_THROWS_AS(r.create<Shape>(c.section("shape")), std::logic_error);
}

TEST_CASE("a stage without keys needs neither schema() nor a Params constructor") {
  Registry r = registry();
  r.add<Dot>();
  CHECK(r.find("shape", "dot")->schema.keys().empty());
  Config c = Config::parse(std::string(kMinimal) + "[shape]\ntype = 'dot'\n", "run.toml", {}, run_schema(), r);
  CHECK(r.create<Shape>(c.section("shape"))->area() == 0.0);
  CHECK_THROWS_AS(Config::parse(std::string(kMinimal) + "[shape]\ntype = 'dot'\nside = 1\n", "run.toml", {},
                                run_schema(), r),
                  ConfigError);
}

TEST_CASE("an unknown stage name is an error naming it, with a suggestion") {
  auto message = error_of(std::string(kMinimal) + "[shape]\ntype = 'sqare'\n");
  CHECK(message.find("run.toml:4") == 0);
  CHECK(message.find("unknown shape 'sqare' (did you mean 'square'?)") != std::string::npos);
  CHECK(message.find("known: rectangle, square") != std::string::npos);
}

TEST_CASE("an unknown key is an error naming the table and key, with a suggestion") {
  auto message = error_of(std::string(kMinimal) + "[train]\nepocs = 3\n");
  CHECK(message.find("run.toml:4: [train] unknown key 'epocs' (did you mean 'epochs'?)") == 0);
  auto stage_key = error_of(std::string(kMinimal) + "[shape]\ntype = 'square'\nsid = 3.0\n");
  CHECK(stage_key.find("run.toml:5: [shape] unknown key 'sid' (did you mean 'side'?)") == 0);
  auto list_key = error_of(std::string(kMinimal) + "[[extras]]\ntype = 'square'\n\nsid = 3.0\n");
  CHECK(list_key.find("run.toml:6: [extras[0]] unknown key 'sid'") == 0);
  auto table = error_of(std::string(kMinimal) + "[trian]\nepochs = 3\n");
  CHECK(table.find("unknown table 'trian' (did you mean 'train'?)") != std::string::npos);
}

TEST_CASE("an unknown table is named as a table, among the tables, not as a key") {
  // issue 16: `--set annealr.ratio=0.3` said "unknown key 'annealr'".
  auto message = error_of(kMinimal, {"shap.side=2.0"});
  CHECK_MESSAGE(message.find("--set shap.side=2.0: unknown table 'shap' (did you mean 'shape'?); valid tables: ") == 0,
                message);
  CHECK(message.find("valid tables: train, ") != std::string::npos);
  // In a table that holds no tables, a misspelt name is a key whatever it holds.
  CHECK(error_of(kMinimal, {"train.epocs.x=3"}).find("[train] unknown key 'epocs' (did you mean 'epochs'?)") !=
        std::string::npos);
  // A plain value at the top level is still a key, suggested where it lives (issue 25).
  CHECK(error_of("epochs = 3\n" + std::string(kMinimal)).find("unknown key 'epochs' (did you mean 'train.epochs'?)") !=
        std::string::npos);
  CHECK(error_of(kMinimal, {"epochs=3"}).find("--set epochs=3: unknown key 'epochs' (did you mean 'train.epochs'?)") ==
        0);
}

TEST_CASE("a wrong type is an error naming the key and both types") {
  auto message = error_of(std::string(kMinimal) + "[train]\nepochs = 'many'\n");
  CHECK(message.find("[train] key 'epochs': expected integer, found string") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train]\nlast_frame_skip = 1\n").find("expected bool") != std::string::npos);
  CHECK(error_of("train = 3\n" + std::string(kMinimal)).find("key 'train': expected table") != std::string::npos);
}

TEST_CASE("an out-of-range value is an error naming the key and the range") {
  auto message = error_of(std::string(kMinimal) + "[train]\nepochs = 0\n");
  CHECK(message.find("[train] key 'epochs': 0 is out of range [1, 100000]") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[shape]\nside = 1000.0\n").find("[shape] key 'side'") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train]\nweights = [0.5, -1.0]\n").find("-1 is out of range") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train]\ndevice = 'gpu'\n").find("'gpu' is not one of: auto, cpu, cuda") !=
        std::string::npos);
}

TEST_CASE("a missing required key and a TOML syntax error are reported with the file") {
  CHECK(error_of("").find("[data] missing key 'root'") != std::string::npos);
  CHECK(error_of("[data\n").find("run.toml:1") == 0);
  // toml++ alone says "could not determine value type" for `warp = yes`.
  const std::string bare_word = error_of(std::string(kMinimal) + "[train]\nlast_frame_skip = yes\n");
  CHECK_MESSAGE(bare_word.find("run.toml:4:") == 0, bare_word);
  CHECK_MESSAGE(bare_word.find("(booleans are true or false, strings are quoted") != std::string::npos, bare_word);
}

TEST_CASE("--set overrides win over the file and are validated like it") {
  Config c = parse(std::string(kMinimal) + "[train]\nepochs = 10\n",
                   {"train.epochs=3", "train.beta=0.5", "data.root=/other/place", "shape.type=rectangle",
                    "train.weights=[1, 2]"});
  CHECK(c.section("train").integer("epochs") == 3);
  CHECK(c.section("train").real("beta") == 0.5);
  CHECK(c.section("data").string("root") == "/other/place");
  CHECK(c.section("shape").type() == "rectangle");
  CHECK(c.section("train").reals("weights") == std::vector<double>{1, 2});
  auto message = error_of(kMinimal, {"train.epochs=-1"});
  CHECK(message.find("--set train.epochs=-1") == 0);
  CHECK(message.find("out of range") != std::string::npos);
  CHECK(error_of(kMinimal, {"train.epochs"}).find("expected key.path=value") != std::string::npos);
  CHECK(error_of(kMinimal, {"train.epocs=3"}).find("--set train.epocs=3: [train] unknown key 'epocs'") == 0);
  // A misspelt table made by --set, a stage name and a list element are the command line's too.
  CHECK(error_of(kMinimal, {"trian.epochs=3"}).find("--set trian.epochs=3: unknown table 'trian'") == 0);
  CHECK(error_of(kMinimal, {"shape.type=sqare"}).find("--set shape.type=sqare: [shape] unknown shape 'sqare'") == 0);
  CHECK(error_of(std::string(kMinimal) + "[[extras]]\ntype = 'square'\n", {"extras.0.side=-1"})
            .find("--set extras.0.side=-1: [extras[0]] key 'side'") == 0);
}

TEST_CASE("a stage's own checks name the --set that set the key, or else the file") {
  Config c = parse(kMinimal, {"shape.side=2.0"});
  CHECK(c.section("shape").where("side") == "--set shape.side=2.0: [shape] key 'side'");
  CHECK(c.section("train").where("epochs") == "run.toml: [train] key 'epochs'");
  Config whole = parse(kMinimal, {"extras=[{type='square', side=3.0}]"});
  CHECK(whole.root().list("extras")[0].where("side") ==
        "--set extras=[{type='square', side=3.0}]: [extras[0]] key 'side'");
}

TEST_CASE("the resolved config round-trips through its TOML output") {
  Registry r = registry();
  Config c = parse(std::string(kMinimal) + "[shape]\ntype = 'rectangle'\n[[extras]]\ntype = 'square'\n",
                   {"train.beta=0.25"});
  std::string text = c.to_toml(run_schema(), r);
  CHECK(text.find("beta = 0.25") != std::string::npos);
  CHECK(text.find("# KL weight") != std::string::npos);
  CHECK(text.find("[[extras]]") != std::string::npos);
  Config again = Config::parse(text, "resolved.toml", {}, run_schema(), r);
  CHECK(again.table() == c.table());
  CHECK(again.to_toml(run_schema(), r) == text);
}

TEST_CASE("a stage this build lacks is known by name: building it says what it needs, outputs leave it out") {
  Registry r = registry();
  r.add_missing("shape", "hexagon", "libhex");
  const std::string text =
      std::string(kMinimal) + "[[extras]]\ntype = 'hexagon'\nsides = 6\n[[extras]]\ntype = 'square'\nside = 2.0\n";
  Config c = Config::parse(text, "run.toml", {}, run_schema(), r);  // its keys cannot be checked here
  CHECK_THROWS_WITH_AS(r.create_all<Shape>(c.root().list("extras")),
                       doctest::Contains("run.toml: [extras[0]] key 'type': shape 'hexagon' is not in this build: "
                                         "it needs libhex"),
                       ConfigError);
  std::vector<std::string> left_out;
  auto built = r.create_available<Shape>(c.root().list("extras"), left_out);
  REQUIRE(built.size() == 1);
  CHECK(built[0]->area() == 4.0);
  CHECK(left_out == std::vector<std::string>{"hexagon (needs libhex)"});
  // The resolved config keeps the keys as written, for a build that has the stage.
  const std::string resolved = c.to_toml(run_schema(), r);
  CHECK(resolved.find("sides = 6") != std::string::npos);
  CHECK(Config::parse(resolved, "resolved.toml", {}, run_schema(), r).table() == c.table());
  // Keys it could not print back as written are refused.
  CHECK_THROWS_WITH_AS(Config::parse(std::string(kMinimal) + "[[extras]]\ntype = 'hexagon'\n[extras.corner]\nx = 1\n",
                                     "run.toml", {}, run_schema(), r),
                       doctest::Contains("[extras[0]] key 'corner': this build lacks the shape 'hexagon' and keeps "
                                         "only plain keys for it"),
                       ConfigError);
}
