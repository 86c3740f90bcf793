// synth, convert, inspect: getting data into the HDF5 layout.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "converters/convert.h"
#include "converters/inspect.h"
#include "converters/synth/bair_files.h"
#include "pipeline/cli/commands.h"

namespace vidpred::cli {
namespace fs = std::filesystem;

namespace {

void add_synth(CLI::App& app, const CancelToken& cancel) {
  auto options = std::make_shared<synth::SynthOptions>();
  auto* cmd = app.add_subcommand("synth", "Write the built-in synthetic BAIR dataset as BAIR-layout TFRecords");
  cmd->add_option("--out", options->out, "Output folder (gets softmotion30_44k/{train,test}/)")->required();
  // Both splits: convert needs a train and a test folder.
  const auto at_least_one = CLI::Range(int64_t(1), int64_t(1) << 40);
  cmd->add_option("--train", options->train, "Train trajectories")->capture_default_str()->check(at_least_one);
  cmd->add_option("--test", options->test, "Test trajectories")->capture_default_str()->check(at_least_one);
  cmd->add_option("--seed", options->seed, "World seed: same seed, same bytes")->capture_default_str();
  cmd->add_option("--frames", options->world.frames, "Frames per trajectory")->capture_default_str()->check(CLI::Range(2, 1000));
  cmd->add_option("--threads", options->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([options, &cancel] {
    auto report = synth::write_bair_tfrecords(*options, cancel);
    fmt::print("synth: {} trajectories in {} files, {:.1f} MB, {:.1f} s ({:.0f} trajectories/min) -> {}\n",
               report.trajectories, report.files, report.bytes / 1e6, report.seconds,
               report.trajectories / std::max(report.seconds, 1e-9) * 60,
               (options->out / "softmotion30_44k").string());
  });
}

void add_convert(CLI::App& app, const CancelToken& cancel) {
  struct Args {
    std::string from = "tfrecord", camera = "aux1", compression = "none";
    fs::path source;
    ConvertOptions options;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("convert", "Convert BAIR TFRecords or processed PNG folders to chunked HDF5 splits");
  cmd->add_option("--from", args->from, "Source format: tfrecord or png-dir")->capture_default_str();
  cmd->add_option("source", args->source,
                  "Source folder: BAIR's softmotion30_44k/ (train/, test/) or the processed PNG root")
      ->required();
  cmd->add_option("--out", args->options.out, "Output folder for train.h5, validate.h5, test.h5")->required();
  cmd->add_option("--camera", args->camera, "TFRecord camera: aux1 or main")->capture_default_str();
  cmd->add_option("--validate-fraction", args->options.validate_fraction,
                  "Share of train split off as validate.h5 (0: none)")->capture_default_str();
  cmd->add_option("--compression", args->compression,
                  "Frame chunk compression: none, deflate or deflate:1..9 (none reads fastest; see README)")
      ->capture_default_str();
  cmd->add_flag("--skip-corrupt", args->options.skip_corrupt, "Skip damaged records, list them at the end");
  cmd->add_flag("--force", args->options.force, "Replace existing output files");
  cmd->add_option("--threads", args->options.threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([args, &cancel] {
    ConvertOptions o = args->options;
    o.from = parse_source_format(args->from);
    o.source = args->source;
    o.camera = parse_camera(args->camera);
    o.compression = h5::Compression::parse(args->compression);
    auto report = convert(o, cancel);
    for (const auto& leftover : report.replaced_leftovers) {
      fmt::print(stderr, "convert: replaced '{}' left by an interrupted run\n", leftover.string());
    }
    std::vector<std::string> splits;
    for (const auto& s : report.splits) splits.push_back(fmt::format("{} {}", s.name, s.trajectories));
    fmt::print("convert: trajectories {}; {:.1f} MB in, {:.1f} MB out, {:.1f} s, {} skipped -> {}\n",
               fmt::join(splits, ", "), report.bytes_in / 1e6, report.bytes_out / 1e6, report.seconds,
               report.skipped.size(), o.out.string());
    for (const auto& s : report.skipped) fmt::print("  skipped {}: {}\n", s.where, s.reason);
    for (const auto& f : report.removed) fmt::print("  removed '{}' of an earlier conversion (not written by this one)\n", f.string());
    const bool validate = std::any_of(report.splits.begin(), report.splits.end(),
                                      [](const SplitReport& s) { return s.name == "validate"; });
    if (!validate && o.validate_fraction > 0) {
      fmt::print("  no validate.h5: too few train trajectories for --validate-fraction {} (train with "
                 "--set train.validate_split=test)\n",
                 o.validate_fraction);
    }
  });
}

void add_inspect(CLI::App& app) {
  struct Args {
    fs::path file;
    std::pair<int64_t, std::string> dump{-1, ""};
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("inspect", "Show what a .h5 split or a .tfrecords file holds");
  cmd->add_option("file", args->file, "A converted .h5 split or a .tfrecords file")->required();
  cmd->add_option("--dump", args->dump,
                  "K DIR: write trajectory K to DIR as PNG frames + CSVs (the processed layout)");
  cmd->callback([args] {
    const std::string report = inspect_file(args->file);
    auto [index, dir] = args->dump;
    if (index >= 0) dump_trajectory(args->file, size_t(index), dir);  // a bad index is the only output
    fmt::print("{}", report);
    if (index >= 0) fmt::print("dumped trajectory {} to {}\n", index, dir);
  });
}

}  // namespace

void add_data_commands(CLI::App& app, const CancelToken& cancel) {
  add_synth(app, cancel);
  add_convert(app, cancel);
  add_inspect(app);
}

}  // namespace vidpred::cli
