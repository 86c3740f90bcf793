// Training killed at random moments, checkpoints and writers on a full disk,
// a damaged dataset: the user loses at most the work since the last
// checkpoint, never a checkpoint or an output, and learns what is wrong
// before any training starts.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "pipeline/core/stopwatch.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/run_context.h"
#include "tests/hardening/child_process.h"
#include "tests/support/datasets.h"
#include "tests/support/run_config.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

struct CrashFixture {
  test::TempDir dir;
  fs::path root = test::make_dataset(dir.path(), 24, 4, 8, 0.2);
  Registry registry = stages::make_registry();

  std::vector<std::string> train_args(const fs::path& run, int epochs) {
    return {"train", std::string(VIDPRED_SOURCE_DIR) + "/configs/test-tiny.toml", "--force", "--set",
            "data.root=" + root.string(), "--set", "run.dir=" + run.string(), "--set",
            "train.epochs=" + std::to_string(epochs)};
  }

  TrainingState load(const fs::path& checkpoint, std::vector<at::Tensor>* weights = nullptr) {
    Config c = Config::load(checkpoint.parent_path() / "config.toml", {}, run_schema(), registry);
    model::Cvae model = build_model(c, registry);
    TrainingState state = load_checkpoint(checkpoint, model, nullptr);
    if (weights) {
      for (const auto& p : model->parameters()) weights->push_back(p.detach().clone());
    }
    return state;
  }
};

int epoch_lines(const std::string& output) {
  std::regex line("(^|\n)epoch +[0-9]+/");
  return int(std::distance(std::sregex_iterator(output.begin(), output.end(), line), std::sregex_iterator()));
}

}  // namespace

TEST_CASE("training killed at random moments resumes from its last checkpoint to the same weights") {
  CrashFixture f;
  const int epochs = 6;
  test::ChildResult complete;
  // Kill moments scale with how long a whole run takes on this machine now:
  // a fixed range let a fast machine finish between two kills.
  const int whole_ms = int(1000 * seconds_of([&] {
    complete = test::run_child(VIDPRED_BINARY, f.train_args(f.dir / "complete", epochs));
  }));
  REQUIRE_MESSAGE(complete.exit_code == 0, complete.output);

  const fs::path run = f.dir / "killed";
  std::mt19937 rng(20261125);
  // Until a run has checkpointed, it starts over as a user would (resume
  // needs last.pt).
  auto next_args = [&] {
    return fs::exists(run / "last.pt") ? std::vector<std::string>{"train", "--resume", run.string()}
                                       : f.train_args(run, epochs);
  };
  int kills = 0, done = 0, attempts = 0, stalled = 0;
  while (attempts++ < 12) {
    test::ChildProcess child(VIDPRED_BINARY, next_args());
    // Each kill lands within the first 40% of a whole run, so at least two
    // come before the end. A loaded machine (CI runs tests in parallel) may
    // need longer to reach a checkpoint: every kill that brought no progress
    // widens the next wait, so the test cannot spend all its kills too early.
    const int delay_ms =
        std::uniform_int_distribution<int>(whole_ms / 10, whole_ms * 4 / 10)(rng) + whole_ms / 4 * stalled;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    child.kill_now();
    int code = child.wait();
    if (!child.killed_by_signal()) {
      REQUIRE_MESSAGE(code == 0, child.output());
      break;  // it finished before the kill
    }
    ++kills;
    const int before = done;
    if (fs::exists(run / "last.pt")) {
      TrainingState state = f.load(run / "last.pt");
      // Every epoch the child reported was checkpointed before it was reported.
      CHECK(state.epochs_done >= done + epoch_lines(child.output()));
      done = int(state.epochs_done);
    }
    stalled = done > before ? 0 : stalled + 1;
    // A kill during a checkpoint's write may leave last.pt.partial (never a
    // half-written last.pt); the next write replaces it.
    if (done == epochs) break;
  }
  CHECK(kills >= 2);
  if (done < epochs) {
    auto finish = test::run_child(VIDPRED_BINARY, next_args());
    REQUIRE_MESSAGE(finish.exit_code == 0, finish.output);
  }
  CHECK(!fs::exists(run / "last.pt.partial"));
  std::vector<at::Tensor> a, b;
  CHECK(f.load(run / "last.pt", &a).epochs_done == epochs);
  f.load(f.dir / "complete/last.pt", &b);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(at::equal(a[i], b[i]));
  std::string log = test::read_text(run / "train_log.csv");
  CHECK(std::count(log.begin(), log.end(), '\n') == epochs + 1);
}

TEST_CASE("a checkpoint that does not fit on the disk is an error naming it, and the old ones survive") {
  CrashFixture f;
  const fs::path run = f.dir / "run";
  auto first = test::run_child(VIDPRED_BINARY, f.train_args(run, 1));
  REQUIRE_MESSAGE(first.exit_code == 0, first.output);
  const std::string last = test::read_text(run / "last.pt"), best = test::read_text(run / "best.pt");

  test::ChildOptions limited;
  limited.file_size_limit = last.size() / 2;
  auto full = test::run_child(VIDPRED_BINARY, {"train", "--resume", run.string(), "--set", "train.epochs=3"}, limited);
  CHECK(full.exit_code == 1);
  std::regex error_line("vidpred: error: cannot write '[^']*(last|best)\\.pt\\.partial'");
  CHECK_MESSAGE(std::regex_search(full.output, error_line), full.output);
  CHECK(test::read_text(run / "last.pt") == last);
  CHECK(test::read_text(run / "best.pt") == best);
  CHECK(!fs::exists(run / "last.pt.partial"));
  CHECK(!fs::exists(run / "best.pt.partial"));
  CHECK(f.load(run / "last.pt").epochs_done == 1);
}

TEST_CASE("writers on a full disk: one error naming the file, earlier outputs untouched, nothing partial") {
  CrashFixture f;
  const fs::path run = f.dir / "run";
  std::vector<std::string> args = f.train_args(run, 1);
  args.insert(args.end(), {"--set", "outputs=[{type='gif', sequences=2}]"});
  auto trained = test::run_child(VIDPRED_BINARY, args);
  REQUIRE_MESSAGE(trained.exit_code == 0, trained.output);
  auto first = test::run_child(VIDPRED_BINARY, {"eval", run.string()});
  REQUIRE_MESSAGE(first.exit_code == 0, first.output);
  const std::string gif = test::read_text(run / "eval/gif/seq_0.gif");
  const std::string metrics = test::read_text(run / "eval/metrics.csv");

  // Whichever file of the eval first outgrows the limit (a GIF, at the
  // latest) stops it with one line naming that file.
  test::ChildOptions limited;
  limited.file_size_limit = gif.size() / 2;
  auto full = test::run_child(VIDPRED_BINARY, {"eval", run.string(), "--set", "eval.samples=2"}, limited);
  CHECK(full.exit_code == 1);
  std::regex error_line("(^|\\n)vidpred: error: cannot write '[^']*\\.partial': File too large\\n");
  CHECK_MESSAGE(std::regex_search(full.output, error_line), full.output);
  CHECK(test::read_text(run / "eval/gif/seq_0.gif") == gif);
  CHECK(test::read_text(run / "eval/metrics.csv") == metrics);
  for (const auto& entry : fs::recursive_directory_iterator(run)) {
    CHECK_MESSAGE(entry.path().string().find(".partial") == std::string::npos, entry.path().string());
  }
}

TEST_CASE("a damaged train.h5 is refused before training starts, naming the file") {
  CrashFixture f;
  const fs::path train = f.root / "train.h5";
  fs::resize_file(train, fs::file_size(train) / 2);
  const fs::path run = f.dir / "run";
  auto result = test::run_child(VIDPRED_BINARY, f.train_args(run, 1));
  CHECK(result.exit_code == 1);
  CHECK_MESSAGE(result.output.find("vidpred: error: ") != std::string::npos, result.output);
  CHECK_MESSAGE(result.output.find(train.string()) != std::string::npos, result.output);
  CHECK(epoch_lines(result.output) == 0);
  CHECK(!fs::exists(run / "last.pt"));
}

TEST_CASE("vidpred train --stop-after-epoch stops there, says how to go on, and --resume ends as a run never stopped") {
  CrashFixture f;
  auto complete = test::run_child(VIDPRED_BINARY, f.train_args(f.dir / "complete", 4));
  REQUIRE_MESSAGE(complete.exit_code == 0, complete.output);
  const fs::path run = f.dir / "stopped";
  std::vector<std::string> args = f.train_args(run, 4);
  args.insert(args.end(), {"--stop-after-epoch", "3"});
  auto stopped = test::run_child(VIDPRED_BINARY, args);
  REQUIRE_MESSAGE(stopped.exit_code == 0, stopped.output);
  CHECK(epoch_lines(stopped.output) == 3);
  CHECK(stopped.output.find("stopped after epoch 3 of 4 as asked: vidpred train --resume") != std::string::npos);
  CHECK(f.load(run / "last.pt").epochs_done == 3);
  auto again = test::run_child(VIDPRED_BINARY, {"train", "--resume", run.string(), "--stop-after-epoch", "2"});
  CHECK(again.exit_code != 0);
  CHECK(again.output.find("--stop-after-epoch 2: the run has already trained 3 epochs") != std::string::npos);
  CHECK(again.output.find("resuming") == std::string::npos);  // refused before anything is said or done
  auto resumed = test::run_child(VIDPRED_BINARY, {"train", "--resume", run.string()});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  std::vector<at::Tensor> a, b;
  CHECK(f.load(run / "last.pt", &a).epochs_done == 4);
  f.load(f.dir / "complete/last.pt", &b);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(at::equal(a[i], b[i]));
}
