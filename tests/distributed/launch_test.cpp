// `vidpred train --nproc-per-node 2` on loopback, as a user runs it: the
// replicas hold identical weights, each rank trains on its own part of every
// global batch and together they cover the epoch once, output comes back
// prefixed by rank, and a taken port is reported as such.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <set>
#include <sstream>

#include "tests/distributed/dist_support.h"
#include "tests/support/datasets.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

struct LaunchFixture {
  test::TempDir dir;
  // 24 trajectories, every 5th to validate: 19 to train on, 4 global batches of 4.
  fs::path root = test::make_dataset(dir.path(), 24, 4, 8, 0.2);

  std::string train_args(const std::string& run_dir, const std::string& extra) const {
    return fmt::format("timeout 150 {} train {}/configs/test-tiny.toml --set data.root={} --set run.dir={} {}",
                       VIDPRED_BINARY, VIDPRED_SOURCE_DIR, root.string(), (dir / run_dir).string(), extra);
  }
};

// "[rank 1] rank 1 epoch 0 batch 2 positions 9,10" -> {epoch, batch, positions} of rank 1.
struct Draw {
  int rank;
  int64_t epoch, batch;
  std::vector<int64_t> positions;
};

std::vector<Draw> draws(const std::string& output) {
  std::vector<Draw> out;
  for (int rank : {0, 1}) {
    for (const auto& line : test::lines_starting(output, fmt::format("[rank {}] rank {} epoch ", rank, rank))) {
      Draw d{rank, 0, 0, {}};
      std::string positions;
      const auto at = line.find("] ") + 2;
      REQUIRE(std::sscanf(line.c_str() + at, "rank %*d epoch %ld batch %ld", &d.epoch, &d.batch) == 2);
      std::istringstream list(line.substr(line.find("positions ") + 10));
      for (std::string p; std::getline(list, p, ',');) d.positions.push_back(std::stoll(p));
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("two workers on loopback: identical replicas, disjoint shards covering the epoch, prefixed output" *
          doctest::skip(!test::kCpuGroups)) {
  LaunchFixture f;
  const uint16_t port = test::free_port();
  auto result = test::run_command(f.train_args(
      "two", fmt::format("--set train.epochs=2 --set train.steps_per_epoch=0 --nproc-per-node 2 --master-port {} "
                         "--dist-timeout 60 --debug-dist",
                         port)));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);

  // Replicas: every rank's weights and buffers hash alike after 2 epochs.
  auto h0 = test::lines_starting(result.output, "[rank 0] rank 0 weights ");
  auto h1 = test::lines_starting(result.output, "[rank 1] rank 1 weights ");
  REQUIRE(h0.size() == 1);
  REQUIRE(h1.size() == 1);
  CHECK(h0[0].substr(h0[0].rfind(' ')) == h1[0].substr(h1[0].rfind(' ')));

  // Shards: in every global batch of 4 the ranks took 2 rows each, disjoint;
  // over an epoch they took every draw position 0..4B-1 exactly once.
  std::map<std::pair<int64_t, int64_t>, std::map<int, std::vector<int64_t>>> by_batch;
  for (const auto& d : draws(result.output)) by_batch[{d.epoch, d.batch}][d.rank] = d.positions;
  const int64_t batches = int64_t(by_batch.size()) / 2;  // per epoch: the train split's full batches
  CHECK(batches >= 4);
  for (int64_t epoch : {0, 1}) {
    std::multiset<int64_t> seen;
    for (int64_t b = 0; b < batches; ++b) {
      auto& ranks = by_batch[{epoch, b}];
      REQUIRE(ranks.size() == 2);
      CHECK(ranks[0].size() == 2);
      CHECK(ranks[1].size() == 2);
      for (auto& [rank, positions] : ranks) {
        for (int64_t p : positions) {
          CHECK(p / 4 == b);  // rows of this global batch
          seen.insert(p);
        }
      }
    }
    std::multiset<int64_t> expected;
    for (int64_t p = 0; p < 4 * batches; ++p) expected.insert(p);
    CHECK(seen == expected);
  }

  // Only rank 0 reports and writes.
  CHECK(result.output.find("[rank 0] epoch   2/2") != std::string::npos);
  CHECK(result.output.find("[rank 1] epoch") == std::string::npos);
  CHECK(result.output.find("[rank 0] trained 2 epochs") != std::string::npos);
  CHECK(fs::exists(f.dir / "two" / "last.pt"));
}

// Runs `vidpred ARGS` while a listening socket of ours holds `port` on
// 127.0.0.1 (if something else holds it already, that does as well).
test::CommandResult run_with_port_held(uint16_t port, const std::string& args) {
  return test::run_command(fmt::format(
      "python3 -c \"import socket,subprocess,sys; s=socket.socket()\ntry: s.bind(('127.0.0.1',{})); s.listen()\n"
      "except OSError: pass\nr=subprocess.run(sys.argv[1:], capture_output=True, text=True); "
      "print(r.stdout + r.stderr); sys.exit(r.returncode)\" {} {}",
      port, VIDPRED_BINARY, args));
}

TEST_CASE("a port in use is named, with what to do" * doctest::skip(!test::kCpuGroups)) {
  LaunchFixture f;
  const uint16_t port = test::free_port();
  auto holder = run_with_port_held(
      port, fmt::format("train {}/configs/test-tiny.toml --set data.root={} --set run.dir={} --nproc-per-node 2 "
                        "--master-port {}",
                        VIDPRED_SOURCE_DIR, f.root.string(), (f.dir / "busy").string(), port));
  INFO(holder.output);
  CHECK(holder.exit_code != 0);
  CHECK(holder.output.find(fmt::format("MASTER_PORT {} is in use on 127.0.0.1 (another run? pick --master-port)",
                                       port)) != std::string::npos);
}

TEST_CASE("without --master-port, a run on one machine takes a free port, not the taken 29500" *
          doctest::skip(!test::kCpuGroups)) {
  LaunchFixture f;
  auto run = run_with_port_held(
      29500, fmt::format("train {}/configs/test-tiny.toml --set data.root={} --set run.dir={} --set train.epochs=1 "
                         "--nproc-per-node 2",
                         VIDPRED_SOURCE_DIR, f.root.string(), (f.dir / "auto").string()));
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(fs::exists(f.dir / "auto" / "last.pt"));
}

TEST_CASE("resume a 2-rank run on 1 process, and a 1-process run on 2 ranks" * doctest::skip(!test::kCpuGroups)) {
  LaunchFixture f;
  auto two = test::run_command(f.train_args(
      "run", fmt::format("--set train.epochs=1 --nproc-per-node 2 --master-port {}", test::free_port())));
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  const auto after_two = test::checkpoint_tensors(f.dir / "run");

  auto one = test::run_command(fmt::format("timeout 150 {} train --resume {} --set train.epochs=2", VIDPRED_BINARY,
                                           (f.dir / "run").string()));
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  CHECK(one.output.find("resuming " + (f.dir / "run").string() + " after epoch 1") != std::string::npos);
  CHECK(one.output.find("train.epochs 1 -> 2: the KL annealing, teacher-forcing and learning-rate schedules now span "
                        "2 epochs") != std::string::npos);
  CHECK(one.output.find("epoch   2/2") != std::string::npos);
  CHECK(test::max_difference(after_two, test::checkpoint_tensors(f.dir / "run")) > 0);  // it trained on

  auto again = test::run_command(fmt::format("timeout 150 {} train --resume {} --set train.epochs=3 --nproc-per-node 2 "
                                             "--master-port {}",
                                             VIDPRED_BINARY, (f.dir / "run").string(), test::free_port()));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("[rank 0] resuming") != std::string::npos);
  CHECK(again.output.find("[rank 0] epoch   3/3") != std::string::npos);
  // Three epochs in the log, whatever the world size of each.
  CHECK(test::lines_starting(test::read_text(f.dir / "run" / "train_log.csv"), "").size() == 4);
}

TEST_CASE("gradients launched from backward hooks in small buckets average exactly as one bucket after backward" *
          doctest::skip(!test::kCpuGroups)) {
  LaunchFixture f;
  auto train = [&](const std::string& run, const std::string& sync) {
    auto result = test::run_command(f.train_args(
        run, fmt::format("--set train.epochs=1 --set train.steps_per_epoch=3 --nproc-per-node 2 --master-port {} {}",
                         test::free_port(), sync)));
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    return test::checkpoint_tensors(f.dir / run);
  };
  const auto after_backward = train("one-bucket", "--bucket-mb 1000");
  const auto overlapped = train("overlapped", "--overlap-backward --bucket-mb 0.01");
  // Two ranks: each element is the same sum of two values however it is
  // bucketed, so the weights agree to the bit.
  CHECK(test::max_difference(after_backward, overlapped) == 0.0);
}

TEST_CASE("--nproc-per-node 1 forms a 1-rank group: same weights as no group, and the bench reports its overhead" *
          doctest::skip(!test::kCpuGroups)) {
  LaunchFixture f;
  const std::string steps = "--set train.epochs=1 --set train.steps_per_epoch=3";
  auto plain = test::run_command(f.train_args("plain", steps));
  INFO(plain.output);
  REQUIRE(plain.exit_code == 0);
  auto grouped = test::run_command(
      f.train_args("grouped", fmt::format("{} --nproc-per-node 1 --master-port {}", steps, test::free_port())));
  INFO(grouped.output);
  REQUIRE(grouped.exit_code == 0);
  CHECK(grouped.output.find("[rank 0] trained 1 epochs") != std::string::npos);
  // One rank's "average" of its own gradients is those gradients.
  CHECK(test::max_difference(test::checkpoint_tensors(f.dir / "plain"), test::checkpoint_tensors(f.dir / "grouped")) ==
        0.0);

  auto bench = test::run_command(fmt::format(
      "timeout 150 {} bench train {}/configs/test-tiny.toml --set data.root={} --steps 2 --nproc-per-node 1 "
      "--master-port {}",
      VIDPRED_BINARY, VIDPRED_SOURCE_DIR, f.root.string(), test::free_port()));
  INFO(bench.output);
  REQUIRE(bench.exit_code == 0);
  CHECK(test::lines_starting(bench.output, "1 process x 1 thread, no process group: ").size() == 1);
  CHECK(test::lines_starting(bench.output, "1 process x 1 thread in a 1-rank gloo group: ").size() == 1);
  CHECK(test::lines_starting(bench.output, "process group cost: gradient sync ").size() == 1);
  CHECK(bench.output.find("dist-bench-result") == std::string::npos);  // the workers' report to the launcher
}
