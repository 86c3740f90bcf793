// Training as a user runs it: the loss falls, a run resumes exactly, and bad
// checkpoints are refused without harming the run directory.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <torch/torch.h>

#include "pipeline/core/atomic_file.h"
#include "pipeline/core/directory_lock.h"
#include "pipeline/core/error.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/training.h"
#include "tests/support/datasets.h"
#include "tests/support/run_config.h"
#include "tests/support/tiny_run.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

struct TrainingFixture {
  test::TempDir dir;
  fs::path root = test::make_dataset(dir.path(), 24, 4, 8, 0.2);
  Registry registry = stages::make_registry();

  TrainArgs args(const std::string& run_dir, std::vector<std::string> overrides = {}) {
    return test::tiny_train_args(root, dir / run_dir, overrides);
  }

  std::vector<at::Tensor> weights(const std::string& run_dir) {
    Config c = Config::load(dir / run_dir / "config.toml", {}, run_schema(), registry);
    model::Cvae model = build_model(c, registry);
    load_checkpoint(dir / run_dir / "last.pt", model, nullptr);
    std::vector<at::Tensor> out;
    for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
    for (const auto& b : model->buffers()) out.push_back(b.clone());
    return out;
  }
};

bool same(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!at::equal(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("the loss falls over a few dozen steps of the tiny config") {
  TrainingFixture f;
  Config c = test::tiny_config(f.registry, f.root.string(), {"data.batch_size=4"});
  TrainingSession session(c, f.registry, CancelToken());
  std::vector<double> losses;
  for (int64_t epoch = 0; epoch < 8; ++epoch) {
    auto stream = session.data().open(session.epoch_request(epoch), CancelToken());
    while (auto batch = stream->next()) losses.push_back(session.step(*batch, epoch, 0.0, 1.0).mse);
  }
  REQUIRE(losses.size() == 32);
  double first = 0, last = 0;
  for (int i = 0; i < 4; ++i) {
    first += losses[i];
    last += losses[losses.size() - 1 - i];
  }
  CHECK(last < 0.7 * first);
}

TEST_CASE("loss.ssim adds its weight times 1 - SSIM, summed over decoded frames, averaged over the batch") {
  TrainingFixture f;
  // The first step of three sessions from the same weights: the term scales with its weight, and mse is unchanged.
  auto first_step = [&](double weight) {
    Config c = test::tiny_config(f.registry, f.root.string(),
                                 {"data.batch_size=4", fmt::format("loss.ssim={}", weight)});
    TrainingSession session(c, f.registry, CancelToken());
    auto stream = session.data().open(session.epoch_request(0), CancelToken());
    return session.step(*stream->next(), 0, 0.0, 1.0);
  };
  const StepStats off = first_step(0), light = first_step(0.5), heavy = first_step(2);
  CHECK(off.loss == doctest::Approx(off.mse).epsilon(1e-6));
  CHECK(light.mse == doctest::Approx(off.mse).epsilon(1e-6));
  const double dssim = (light.loss - light.mse) / 0.5;
  CHECK((heavy.loss - heavy.mse) / 2 == doctest::Approx(dssim).epsilon(1e-4));
  // An untrained model's frames are far from the truth's structure, in each of the T - 1 decoded frames.
  const int64_t decoded_frames = 2 + 3 - 1;  // test-tiny.toml: n_past 2, n_future 3
  CHECK(dssim > 0.5 * decoded_frames);
  CHECK(dssim < 2.0 * decoded_frames);
}

TEST_CASE("model.normalize_cond: a fresh session fits the statistics to the training data; a checkpoint keeps them") {
  TrainingFixture f;
  Config c = test::tiny_config(f.registry, f.root.string(), {"model.normalize_cond=true"});
  TrainingSession session(c, f.registry, CancelToken());
  auto buffers = session.model()->named_buffers();
  // What the session read: up to 32 batches of epoch 0, every frame's conditions.
  stages::EpochRequest request = session.epoch_request(0);
  request.max_batches = 32;
  auto stream = session.data().open(request, CancelToken());
  std::vector<at::Tensor> rows;
  while (auto batch = stream->next()) rows.push_back(batch->cond.reshape({-1, 7}));
  const at::Tensor all = torch::cat(rows);
  CHECK(all.size(0) >= 50);
  CHECK(torch::allclose(buffers["cond_mean"], all.mean(0), 1e-4, 1e-6));
  CHECK(torch::allclose(buffers["cond_std"], all.std(0), 1e-4, 1e-6));
  CHECK(!torch::allclose(buffers["cond_std"], torch::ones({7})));

  session.save(f.dir / "fitted.pt");
  model::Cvae fresh = build_model(c, f.registry);
  load_checkpoint(f.dir / "fitted.pt", fresh, nullptr);
  CHECK(torch::equal(fresh->named_buffers()["cond_std"], buffers["cond_std"]));
  // A model without the option would drop the statistics and see raw conditions: refused by name.
  model::Cvae raw = build_model(test::tiny_config(f.registry, f.root.string()), f.registry);
  CHECK_THROWS_WITH_AS(load_checkpoint(f.dir / "fitted.pt", raw, nullptr),
                       doctest::Contains("it has 'cond_mean', which the model lacks"), Error);
}

TEST_CASE("training is deterministic, and 4 epochs equal 2 epochs + resume + 2 epochs") {
  TrainingFixture f;
  // Schedules that do not depend on the run's length, so that a 2-epoch run
  // is the first half of the 4-epoch one.
  const std::vector<std::string> schedules{"annealer.type=constant", "annealer.value=0.5"};
  auto with = [&](std::string epochs) {
    auto o = schedules;
    o.push_back("train.epochs=" + epochs);
    return o;
  };
  train(f.args("full", with("4")), f.registry, CancelToken());
  train(f.args("again", with("4")), f.registry, CancelToken());
  CHECK(same(f.weights("full"), f.weights("again")));

  train(f.args("resumed", with("2")), f.registry, CancelToken());
  CHECK(!same(f.weights("full"), f.weights("resumed")));
  TrainArgs resume;
  resume.resume_dir = f.dir / "resumed";
  resume.overrides = {"train.epochs=4"};
  resume.progress = false;
  auto report = train(resume, f.registry, CancelToken());
  CHECK(report.epochs_done == 4);
  CHECK(same(f.weights("full"), f.weights("resumed")));

  // The log holds each epoch once.
  std::string log = test::read_text(f.dir / "resumed/train_log.csv");
  CHECK(std::count(log.begin(), log.end(), '\n') == 5);
  CHECK(fs::exists(f.dir / "resumed/best.pt"));
}

namespace {

// The tfr column of a run's train_log.csv, one value per epoch.
std::vector<std::string> logged_ratios(const fs::path& log) {
  std::istringstream in(test::read_text(log));
  std::string line, header;
  std::getline(in, header);
  size_t column = 0;
  for (size_t at = 0; at < header.find("tfr"); ++at) column += header[at] == ',';
  std::vector<std::string> out;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string cell;
    for (size_t c = 0; c <= column; ++c) std::getline(cells, cell, ',');
    out.push_back(cell);
  }
  return out;
}

// Trains f.args(run, overrides) up to epoch `epochs` (--stop-after-epoch),
// then resumes it to the end as `vidpred train --resume` does.
void stop_after_then_resume(TrainingFixture& f, const std::string& run, const std::vector<std::string>& overrides,
                            int64_t epochs) {
  TrainArgs first = f.args(run, overrides);
  // Checkpoints otherwise only at the end: the one resume reads is the stop's.
  first.overrides.push_back("train.checkpoint_every=100");
  first.stop_after_epoch = epochs;
  const TrainReport stopped = train(first, f.registry, CancelToken());
  REQUIRE(stopped.epochs_done == epochs);
  REQUIRE(stopped.epochs > epochs);
  CHECK(logged_ratios(f.dir / run / "train_log.csv").size() == size_t(epochs));
  TrainArgs again;
  again.resume_dir = f.dir / run;
  again.progress = false;
  again.stop_after_epoch = epochs;
  CHECK_THROWS_WITH_AS(train(again, f.registry, CancelToken()), doctest::Contains("already trained"), Error);
  TrainArgs resume;
  resume.resume_dir = f.dir / run;
  resume.progress = false;
  train(resume, f.registry, CancelToken());
}

}  // namespace

TEST_CASE("a run stopped inside the teacher-forcing decay resumes with the same ratio in every epoch") {
  TrainingFixture f;
  const std::vector<std::string> decay{"train.epochs=7", "train.steps_per_epoch=2", "train.validate_every=7",
                                       "teacher_forcing.start_decay_epoch=2", "teacher_forcing.decay_step=0.5"};
  train(f.args("whole", decay), f.registry, CancelToken());
  const auto whole = logged_ratios(f.dir / "whole/train_log.csv");
  // The reference's timing: epochs 0..6 train with 1, 1, 1, 1, 0.9, 0.8, 0.7.
  REQUIRE(whole.size() == 7);
  CHECK(std::stod(whole[3]) == 1.0);
  CHECK(std::stod(whole[4]) == doctest::Approx(0.9));
  CHECK(std::stod(whole[6]) == doctest::Approx(0.7));

  // Stop the same run once epoch 4, the first decayed one, is logged.
  stop_after_then_resume(f, "stopped", decay, 5);
  CHECK(logged_ratios(f.dir / "stopped/train_log.csv") == whole);
  CHECK(same(f.weights("whole"), f.weights("stopped")));
}

TEST_CASE("a learning-rate schedule changes training, and a run stopped inside it resumes on the same curve") {
  TrainingFixture f;
  const std::vector<std::string> base{"train.epochs=4", "train.validate_every=4", "annealer.type=constant"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return extra;
  };
  const auto cosine = with({"lr_schedule.type=cosine", "lr_schedule.start=0.25", "lr_schedule.final=0.1"});
  train(f.args("constant", with({})), f.registry, CancelToken());
  train(f.args("whole", cosine), f.registry, CancelToken());
  CHECK(!same(f.weights("constant"), f.weights("whole")));

  // Resumed from epoch 2's checkpoint, the rates must come from the schedule,
  // not from the lowered ones the checkpoint's optimizer state holds.
  stop_after_then_resume(f, "stopped", cosine, 2);
  CHECK(same(f.weights("whole"), f.weights("stopped")));
}

TEST_CASE("a run directory is not overwritten by accident") {
  TrainingFixture f;
  train(f.args("run", {"train.epochs=1"}), f.registry, CancelToken());
  CHECK_THROWS_WITH_AS(train(f.args("run", {"train.epochs=1"}), f.registry, CancelToken()),
                       doctest::Contains("already holds a run; continue it with --resume"), Error);
  auto again = f.args("run", {"train.epochs=1"});
  again.force = true;
  CHECK_NOTHROW(train(again, f.registry, CancelToken()));
}

// Every file of a folder with its size and modification time, a line each.
std::string folder_state(const fs::path& dir) {
  std::map<std::string, std::string> lines;  // in name order
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    lines[entry.path().string()] =
        fmt::format("{} {}", entry.file_size(), entry.last_write_time().time_since_epoch().count());
  }
  std::string state;
  for (const auto& [name, line] : lines) state += name + " " + line + "\n";
  return state;
}

TEST_CASE("resuming a finished run says there is nothing left to train and changes nothing") {
  // issue 16: it said it resumed, rewrote the plots and config.toml and added a second events file.
  TrainingFixture f;
  train(f.args("done", {"train.epochs=1", "outputs=[{type='tensorboard'}, {type='curve_png'}]"}), f.registry,
        CancelToken());
  const auto before = folder_state(f.dir / "done");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a rewrite would show in the times
  TrainArgs resume;
  resume.resume_dir = f.dir / "done";
  resume.progress = false;
  TrainReport report = train(resume, f.registry, CancelToken());
  CHECK(report.nothing_to_train);
  CHECK(report.epochs_done == 1);
  CHECK(report.files.empty());
  CHECK(folder_state(f.dir / "done") == before);
  // Extending it still trains.
  resume.overrides = {"train.epochs=2"};
  report = train(resume, f.registry, CancelToken());
  CHECK_FALSE(report.nothing_to_train);
  CHECK(report.epochs_done == 2);
}

TEST_CASE("the model tree names modules as torch does, without template arguments") {
  // issue 16: `vidpred model` printed SyncBatchNormImpl<2l>.
  TrainingFixture f;
  const std::string tree = describe_model(build_model(test::tiny_config(f.registry, f.root.string()), f.registry));
  CHECK_MESSAGE(tree.find('<') == std::string::npos, tree);
  CHECK(tree.find("(SyncBatchNorm1d)") != std::string::npos);
}

TEST_CASE("a run stopped before its first checkpoint says how to start it again, and starting again works") {
  TrainingFixture f;
  TrainArgs resume;
  resume.progress = false;
  resume.resume_dir = f.dir / "nowhere";
  CHECK_THROWS_WITH_AS(train(resume, f.registry, CancelToken()),
                       doctest::Contains(fmt::format("cannot resume '{}': no such folder", resume.resume_dir.string())
                                             .c_str()),
                       Error);

  // Killed before it wrote its config: the folder and its lock file.
  { DirectoryLock lock(f.dir / "early", "choose another run.dir"); }
  resume.resume_dir = f.dir / "early";
  CHECK_THROWS_WITH_AS(train(resume, f.registry, CancelToken()),
                       doctest::Contains(fmt::format("has no last.pt (no epoch of it finished); start it again with "
                                                     "'vidpred train RUN.toml --set run.dir={}'",
                                                     resume.resume_dir.string())
                                             .c_str()),
                       Error);
  CHECK_NOTHROW(train(f.args("early", {"train.epochs=1"}), f.registry, CancelToken()));
  CHECK(fs::exists(f.dir / "early/last.pt"));

  // Killed during its first epoch: its config.toml starts it again as it was.
  fs::remove(f.dir / "early/last.pt");
  fs::remove(f.dir / "early/best.pt");
  const fs::path config = f.dir / "early/config.toml";
  CHECK_THROWS_WITH_AS(train(resume, f.registry, CancelToken()),
                       doctest::Contains(fmt::format("start it again with 'vidpred train {}'", config.string()).c_str()),
                       Error);
  TrainArgs again;
  again.run_file = config;
  again.progress = false;
  CHECK_NOTHROW(train(again, f.registry, CancelToken()));
  CHECK(fs::exists(f.dir / "early/last.pt"));
}

TEST_CASE("a run directory another training is writing is refused") {
  TrainingFixture f;
  DirectoryLock other(f.dir / "busy", "choose another run.dir");
  CHECK_THROWS_WITH_AS(train(f.args("busy", {"train.epochs=1"}), f.registry, CancelToken()),
                       doctest::Contains("another vidpred process is writing to"), Error);
  CHECK_FALSE(fs::exists(f.dir / "busy" / "config.toml"));
}

TEST_CASE("one observed frame needs last_frame_skip: refused by name without it, trains with it") {
  TrainingFixture f;
  CHECK_THROWS_WITH_AS(train(f.args("alone", {"train.n_past=1", "train.epochs=1"}), f.registry, CancelToken()),
                       doctest::Contains("train.n_past = 1 needs model.last_frame_skip = true"), Error);
  CHECK_FALSE(fs::exists(f.dir / "alone" / "last.pt"));
  auto report = train(f.args("skip", {"train.n_past=1", "model.last_frame_skip=true", "train.epochs=1"}), f.registry,
                      CancelToken());
  CHECK(report.epochs_done == 1);
}

TEST_CASE("a corrupt or mismatched checkpoint gives a clear error and leaves the run intact") {
  TrainingFixture f;
  train(f.args("run", {"train.epochs=1"}), f.registry, CancelToken());
  const fs::path last = f.dir / "run/last.pt";
  const std::string good = test::read_text(last);

  SUBCASE("another model shape") {
    Config c = test::tiny_config(f.registry, f.root.string(), {"model.width=0.125"});
    model::Cvae wider = build_model(c, f.registry);
    CHECK_THROWS_WITH_AS(load_checkpoint(last, wider, nullptr),
                         doctest::Contains("does not fit this model: 'encoder.c1.0.conv.weight' is [4, 3, 3, 3] in the checkpoint"), Error);
    TrainArgs resume;
    resume.resume_dir = f.dir / "run";
    resume.overrides = {"model.g_dim=8", "train.epochs=2"};
    resume.progress = false;
    CHECK_THROWS_WITH_AS(train(resume, f.registry, CancelToken()), doctest::Contains("does not fit this model"), Error);
  }
  SUBCASE("another prior") {
    Config c = test::tiny_config(f.registry, f.root.string(), {"prior.type=learned"});
    model::Cvae learned = build_model(c, f.registry);
    CHECK_THROWS_WITH_AS(load_checkpoint(last, learned, nullptr), doctest::Contains("it has no 'prior."), Error);
  }
  SUBCASE("damaged bytes") {
    std::string damaged = good;
    damaged.resize(damaged.size() / 2);
    write_file_atomically(last, damaged);
    Config c = test::tiny_config(f.registry, f.root.string());
    model::Cvae model = build_model(c, f.registry);
    CHECK_THROWS_WITH_AS(load_checkpoint(last, model, nullptr), doctest::Contains("is damaged or not a checkpoint"),
                         Error);
    write_file_atomically(last, "not a checkpoint at all");
    CHECK_THROWS_WITH_AS(load_checkpoint(last, model, nullptr), doctest::Contains("last.pt"), Error);
    write_file_atomically(last, good);
  }
  CHECK(test::read_text(last) == good);
  CHECK(fs::exists(f.dir / "run/config.toml"));
  CHECK(!fs::exists(f.dir / "run/last.pt.partial"));
}

// The shutdown paths of the training loop (run under ThreadSanitizer too, see
// README "Hardening"): Ctrl-C mid-epoch and a data error mid-epoch end train()
// promptly with the right exception, and leave no partial file behind.
TEST_CASE("training stops cleanly on cancellation and on a data error mid-epoch") {
  TrainingFixture f;
  SUBCASE("cancelled from another thread, as the Ctrl-C watcher does") {
    CancelToken cancel;
    std::thread canceller([cancel] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      cancel.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(train(f.args("cancelled", {"train.epochs=50"}), f.registry, cancel), Interrupted);
    canceller.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  }
  SUBCASE("a damaged chunk in train.h5") {
    const fs::path damaged = test::make_dataset(f.dir / "damaged", 12, 4, 8, 0.0, "deflate");
    {
      auto path = damaged / "train.h5";
      auto size = fs::file_size(path);
      std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(std::streamoff(size / 2));
      std::string junk(size / 4, '\x5a');
      file.write(junk.data(), std::streamsize(junk.size()));
    }
    TrainArgs a = f.args("damaged-run", {"train.epochs=2", "data.root=" + damaged.string()});
    try {
      train(a, f.registry, CancelToken());
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("train.h5") != std::string::npos);
    }
  }
  for (const auto& entry : fs::recursive_directory_iterator(f.dir.path())) {
    CHECK_MESSAGE(entry.path().string().find(".partial") == std::string::npos, entry.path().string());
  }
}
