// `vidpred bench ...`: throughput figures, printed, never asserted.
#include <filesystem>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <tbb/task_arena.h>

#include "converters/convert.h"
#include "converters/crc32c.h"
#include "converters/synth/bair_files.h"
#include "pipeline/cli/commands.h"
#include "pipeline/core/stopwatch.h"

namespace vidpred::cli {
namespace fs = std::filesystem;

namespace {

void add_bench_crc(CLI::App& bench) {
  auto megabytes = std::make_shared<int>(256);
  auto* cmd = bench.add_subcommand("crc", "CRC-32C throughput, hardware and table");
  cmd->add_option("--mb", *megabytes, "Buffer size in MB")->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->callback([megabytes] {
    std::vector<uint8_t> buffer(size_t(*megabytes) << 20);
    std::mt19937 rng(1);
    for (auto& b : buffer) b = uint8_t(rng());
    auto run = [&](const char* name, auto crc) {
      uint32_t sink = 0;
      double best = 1e9;
      for (int rep = 0; rep < 3; ++rep) best = std::min(best, seconds_of([&] { sink ^= crc(buffer.data(), buffer.size()); }));
      fmt::print("crc32c {:9}: {:6.2f} GB/s  ({} MB, best of 3, check {:08x})\n", name, buffer.size() / best / 1e9,
                 *megabytes, sink);
    };
    if (crc32c::hardware_available()) run("sse4.2", [](const void* d, size_t n) { return crc32c::extend(0, d, n); });
    run("table", [](const void* d, size_t n) { return crc32c::extend_portable(0, d, n); });
  });
}

void add_bench_convert(CLI::App& bench, const CancelToken& cancel) {
  struct Args {
    int64_t trajectories = 1024;
    std::string compression = "none";
    fs::path work = fs::temp_directory_path() / "vidpred-bench-convert";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand("convert", "Converter throughput on synthetic input, 1 thread and all");
  cmd->add_option("--trajectories", args->trajectories, "Synthetic train trajectories (test gets 1/8)")
      ->capture_default_str();
  cmd->add_option("--compression", args->compression, "Compression of the output")->capture_default_str();
  cmd->add_option("--work", args->work, "Scratch folder (removed afterwards)")->capture_default_str();
  cmd->callback([args, &cancel] {
    synth::SynthOptions synth_options;
    synth_options.out = args->work / "tfrecords";
    synth_options.train = args->trajectories;
    synth_options.test = std::max<int64_t>(1, args->trajectories / 8);
    auto made = synth::write_bair_tfrecords(synth_options, cancel);
    fmt::print("input: {} trajectories, {:.1f} MB of TFRecords\n", made.trajectories, made.bytes / 1e6);
    int all = tbb::this_task_arena::max_concurrency();
    std::vector<int> thread_counts{1};
    if (all > 1) thread_counts.push_back(all);
    for (int threads : thread_counts) {
      ConvertOptions o;
      o.source = synth_options.out / "softmotion30_44k";
      o.out = args->work / "h5";
      o.compression = h5::Compression::parse(args->compression);
      o.threads = threads;
      o.force = true;
      o.progress = false;
      auto report = convert(o, cancel);
      fmt::print("convert threads {:2}: {:7.1f} trajectories/s  {:7.1f} MB/s in  {:7.1f} MB/s out  ({:.2f} s, {})\n",
                 threads, made.trajectories / report.seconds, report.bytes_in / 1e6 / report.seconds,
                 report.bytes_out / 1e6 / report.seconds, report.seconds, o.compression.str());
    }
    fs::remove_all(args->work);
  });
}

}  // namespace

void add_bench_commands(CLI::App& app, const CancelToken& cancel) {
  auto* bench = app.add_subcommand("bench", "Benchmarks that print throughput figures");
  bench->require_subcommand(1);
  add_bench_crc(*bench);
  add_bench_convert(*bench, cancel);
#ifdef VIDPRED_WITH_TORCH
  add_bench_run_commands(*bench, cancel);
#endif
}

}  // namespace vidpred::cli
