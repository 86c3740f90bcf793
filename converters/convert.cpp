#include "converters/convert.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <tbb/parallel_pipeline.h>

#include "converters/png_dir_source.h"
#include "converters/tfrecord_source.h"
#include "pipeline/core/arena.h"
#include "pipeline/core/directory_lock.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/stopwatch.h"

namespace vidpred {
namespace fs = std::filesystem;

SourceFormat parse_source_format(std::string_view name) {
  if (name == "tfrecord") return SourceFormat::tfrecord;
  if (name == "png-dir") return SourceFormat::png_dir;
  throw Error(fmt::format("unknown source format '{}': use tfrecord or png-dir", name));
}

std::string describe_options(const ConvertOptions& o) {
  std::string text = fmt::format("vidpred convert --from {} --compression {}",
                                 o.from == SourceFormat::tfrecord ? "tfrecord" : "png-dir",
                                 o.compression.str());
  if (o.from == SourceFormat::tfrecord) text += fmt::format(" --camera {}", camera_name(o.camera));
  text += fmt::format(" --validate-fraction {}", o.validate_fraction);
  if (o.skip_corrupt) text += " --skip-corrupt";
  return text;
}

namespace {

constexpr const char* kSplits[] = {"train", "validate", "test"};

// The output splits, created when their first trajectory arrives and
// committed together at the very end. The conversion's first trajectory fixes
// the shape of every split: a model trained on one split runs on the others.
class SplitWriters {
 public:
  SplitWriters(const ConvertOptions& options) : options_(options) {}

  // The split's writer, or an error when `t` does not have the dataset's shape.
  h5::DatasetWriter& get(const std::string& split, const Trajectory& t, const std::string& where) {
    if (!shape_) shape_ = Shape{t.frames, t.height, t.width, where};
    if (t.frames != shape_->frames || t.height != shape_->height || t.width != shape_->width) {
      throw ShapeMismatch(fmt::format("{} frames of {}x{}, where the first trajectory ({}) set {} frames of {}x{}",
                                      t.frames, t.width, t.height, shape_->where, shape_->frames, shape_->width,
                                      shape_->height));
    }
    auto it = writers_.find(split);
    if (it == writers_.end()) {
      h5::SplitInfo info;
      info.frames = shape_->frames;
      info.height = shape_->height;
      info.width = shape_->width;
      info.camera = options_.from == SourceFormat::tfrecord ? camera_name(options_.camera) : "png";
      info.split = split;
      info.created_with = describe_options(options_);
      auto writer = std::make_unique<h5::DatasetWriter>(options_.out / (split + ".h5"), info,
                                                        options_.compression);
      it = writers_.emplace(split, std::move(writer)).first;
    }
    return *it->second;
  }

  struct ShapeMismatch : Error {
    using Error::Error;
  };

  // Where the dataset's shape came from ("" before the first trajectory).
  std::string shape_origin() const { return shape_ ? shape_->where : std::string(); }

  void commit_all(ConvertReport& report) {
    for (auto& [name, writer] : writers_) {
      if (writer->replaced_leftover()) report.replaced_leftovers.push_back(partial_path(writer->path()));
    }
    for (const char* name : kSplits) {
      auto it = writers_.find(name);
      if (it == writers_.end()) continue;
      it->second->commit();
      report.splits.push_back({name, it->second->path(), int64_t(it->second->size()), it->second->chunk_bytes()});
      report.bytes_out += fs::file_size(it->second->path());
    }
  }

 private:
  struct Shape {
    int frames, height, width;
    std::string where;
  };
  const ConvertOptions& options_;
  std::optional<Shape> shape_;
  std::map<std::string, std::unique_ptr<h5::DatasetWriter>> writers_;
};

// Under --skip-corrupt, an odd first trajectory would have every other one
// skipped as misshapen: that is a wrong first record, not a damaged dataset.
// Seen early (a few skips, far more than kept) so that a 30 GB conversion
// stops at its start; `final` checks the whole count at the end.
void check_first_shape(const ConvertReport& report, int64_t kept, const SplitWriters& writers, bool final) {
  const int64_t skipped = report.skipped_for_shape;
  const bool odd = final ? skipped > kept : skipped >= 8 && skipped > 4 * kept;
  if (!odd) return;
  throw Error(fmt::format("{} trajectories were skipped for their shape and only {} kept: the first one ({}) has a "
                          "shape most do not; remove it and convert again (nothing was written)",
                          skipped, kept, writers.shape_origin()));
}

struct Decoded {
  SourceItem item;
  std::optional<Trajectory> trajectory;
  std::string chunk;
  std::string error;           // set when decoding failed and the item is skipped
  std::exception_ptr failure;  // set when decoding failed and the run stops
};

// Streams one input split through read -> decode+compress -> write. `route(k)`
// names the output split of the k-th good trajectory.
//
// No filter body throws: oneTBB frees a serial_in_order filter's buffer
// without destroying the items parked in it when a filter throws, so every
// decoded trajectory waiting for its turn would leak. An error instead stops
// the input, the items in flight drain, and the first error in input order
// (so the same one at any thread count) is rethrown after the pipeline.
class SplitConversion {
 public:
  SplitConversion(TrajectorySource& source, const std::function<std::string(int64_t)>& route,
                  const ConvertOptions& options, SplitWriters& writers, ConvertReport& report,
                  int64_t kept_before, ProgressBar& progress, const CancelToken& cancel)
      : source_(source), route_(route), options_(options), writers_(writers), report_(report),
        kept_before_(kept_before), progress_(progress), cancel_(cancel) {}

  // How many trajectories it wrote.
  int64_t run() {
    Arena arena(options_.threads);
    arena.execute([&] {
      tbb::parallel_pipeline(
          size_t(arena.threads()) * 2,
          tbb::make_filter<void, std::shared_ptr<Decoded>>(
              tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) { return read(fc); }) &
              tbb::make_filter<std::shared_ptr<Decoded>, std::shared_ptr<Decoded>>(
                  tbb::filter_mode::parallel, [&](std::shared_ptr<Decoded> d) { return decode(std::move(d)); }) &
              tbb::make_filter<std::shared_ptr<Decoded>, void>(
                  tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Decoded> d) { write(*d); }));
    });
    // The output's error comes from an earlier item than any input error.
    if (output_failure_) std::rethrow_exception(output_failure_);
    if (input_failure_) std::rethrow_exception(input_failure_);
    cancel_.throw_if_cancelled();
    return accepted_;
  }

 private:
  std::shared_ptr<Decoded> read(tbb::flow_control& fc) {
    if (failed_ || cancel_.cancelled()) {
      fc.stop();
      return nullptr;
    }
    try {
      auto item = source_.next();
      if (!item) {
        fc.stop();
        return nullptr;
      }
      auto d = std::make_shared<Decoded>();
      d->item = std::move(*item);
      return d;
    } catch (...) {
      input_failure_ = std::current_exception();
      fc.stop();
      return nullptr;
    }
  }

  std::shared_ptr<Decoded> decode(std::shared_ptr<Decoded> d) const {
    if (failed_) return d;
    try {
      d->trajectory = d->item.decode();
      d->chunk = h5::DatasetWriter::encode_chunk(*d->trajectory, options_.compression);
    } catch (const BuildLacks&) {
      d->failure = std::current_exception();  // no record is at fault: --skip-corrupt or not
    } catch (const Error& e) {
      if (options_.skip_corrupt) {
        d->error = e.what();
      } else {
        d->failure = std::current_exception();
      }
    } catch (...) {
      d->failure = std::current_exception();
    }
    d->item.decode = nullptr;  // releases the input buffer early
    return d;
  }

  void write(const Decoded& d) {
    if (output_failure_) return;  // draining after an error
    try {
      if (d.failure) std::rethrow_exception(d.failure);
      progress_.advance(1, d.item.bytes);
      const std::string where = fmt::format("{} record {}", d.item.source_file, d.item.source_record);
      if (!d.error.empty()) {
        report_.skipped.push_back({where, d.error});
        return;
      }
      h5::DatasetWriter* writer = writer_for(*d.trajectory, where);
      if (!writer) return;
      // A write error (a full disk) stops the run, --skip-corrupt or not.
      writer->append(*d.trajectory, d.chunk, d.item.source_file, d.item.source_record);
      ++accepted_;
    } catch (...) {
      output_failure_ = std::current_exception();
      failed_ = true;
    }
  }

  // The trajectory's writer, or null when it is skipped for its shape.
  h5::DatasetWriter* writer_for(const Trajectory& trajectory, const std::string& where) {
    try {
      return &writers_.get(route_(accepted_), trajectory, where);
    } catch (const SplitWriters::ShapeMismatch& e) {
      if (!options_.skip_corrupt) throw Error(fmt::format("{}: {}", where, e.what()));
      report_.skipped.push_back({where, e.what()});
      ++report_.skipped_for_shape;
      check_first_shape(report_, kept_before_ + accepted_, writers_, false);
      return nullptr;
    }
  }

  TrajectorySource& source_;
  const std::function<std::string(int64_t)>& route_;
  const ConvertOptions& options_;
  SplitWriters& writers_;
  ConvertReport& report_;
  const int64_t kept_before_;
  ProgressBar& progress_;
  const CancelToken& cancel_;
  int64_t accepted_ = 0;
  std::exception_ptr input_failure_, output_failure_;  // each written by its own serial filter
  std::atomic<bool> failed_{false};                    // output_failure_ is set: skip the remaining work
};

// Every 1/f-th train trajectory goes to validate: deterministic, evenly spread,
// and independent of how many there are in all.
std::function<std::string(int64_t)> train_validate_route(double fraction) {
  return [fraction](int64_t k) -> std::string {
    if (fraction <= 0) return "train";
    return std::floor((k + 1) * fraction) > std::floor(k * fraction) ? "validate" : "train";
  };
}

// What convert refuses before it takes the output directory.
void check_arguments(const ConvertOptions& options) {
  if (!(options.validate_fraction >= 0 && options.validate_fraction < 1)) {
    throw Error(fmt::format("--validate-fraction {} is outside [0, 1)", options.validate_fraction));
  }
  std::error_code ec;
  if (!fs::is_directory(options.source, ec)) {
    throw Error(fmt::format("source '{}' is not a directory", options.source.string()));
  }
  if (!options.force) {
    for (const char* split : kSplits) {
      fs::path existing = options.out / (std::string(split) + ".h5");
      if (fs::exists(existing, ec)) {
        throw Error(fmt::format("'{}' already exists (use --force to replace it)", existing.string()));
      }
    }
  }
}

// An input split and the output splits it feeds.
struct Job {
  std::unique_ptr<TrajectorySource> source;
  std::string input;
  std::function<std::string(int64_t)> route;
};

std::vector<Job> open_jobs(const ConvertOptions& options) {
  std::vector<Job> jobs;
  auto open = [&](const std::string& split) {
    return options.from == SourceFormat::tfrecord ? open_tfrecord_source(options.source, split, options.camera)
                                                   : open_png_dir_source(options.source, split);
  };
  std::error_code ec;
  bool has_validate = options.from == SourceFormat::png_dir && fs::is_directory(options.source / "validate", ec);
  jobs.push_back({open("train"), "train", has_validate ? train_validate_route(0)
                                                       : train_validate_route(options.validate_fraction)});
  if (has_validate) jobs.push_back({open("validate"), "validate", [](int64_t) { return std::string("validate"); }});
  jobs.push_back({open("test"), "test", [](int64_t) { return std::string("test"); }});
  return jobs;
}

// Converts every job's input into `writers`, uncommitted.
void convert_jobs(std::vector<Job>& jobs, const ConvertOptions& options, SplitWriters& writers, ConvertReport& report,
                  const CancelToken& cancel) {
  uint64_t total_bytes = 0, total_items = 0;
  for (const auto& job : jobs) {
    total_bytes += job.source->total_bytes();
    total_items += job.source->total_items();
  }
  report.bytes_in = total_bytes;
  ProgressBar progress("convert", total_items, "traj", total_bytes, options.progress);
  int64_t kept = 0;
  for (auto& job : jobs) {
    const size_t skipped_before = report.skipped.size();
    int64_t accepted =
        SplitConversion(*job.source, job.route, options, writers, report, kept, progress, cancel).run();
    kept += accepted;
    if (accepted == 0) {
      check_first_shape(report, kept, writers, true);
      std::string why;
      if (report.skipped.size() > skipped_before) {
        const SkippedItem& first = report.skipped[skipped_before];
        why = fmt::format(": all {} were skipped, the first ({}) for: {}", report.skipped.size() - skipped_before,
                          first.where, first.reason);
      }
      throw Error(fmt::format("found no usable trajectory in '{}'{}", (options.source / job.input).string(), why));
    }
  }
  progress.finish();
  check_first_shape(report, kept, writers, true);
}

// A split this run did not write (under --force, a validate.h5 from an
// earlier --validate-fraction) would mix old and new data: it goes.
void remove_unwritten_splits(const ConvertOptions& options, ConvertReport& report) {
  std::error_code ec;
  for (const char* split : kSplits) {
    const fs::path file = options.out / (std::string(split) + ".h5");
    const bool written = std::any_of(report.splits.begin(), report.splits.end(),
                                     [&](const SplitReport& s) { return s.name == split; });
    if (!written && fs::exists(file, ec)) {
      if (!fs::remove(file, ec)) throw Error(fmt::format("cannot remove the stale '{}': {}", file.string(), ec.message()));
      report.removed.push_back(file);
    }
  }
}

}  // namespace

ConvertReport convert(const ConvertOptions& options, const CancelToken& cancel) {
  Stopwatch stopwatch;
  check_arguments(options);
  DirectoryLock lock(options.out, "choose another --out");
  std::vector<Job> jobs = open_jobs(options);
  ConvertReport report;
  SplitWriters writers(options);
  convert_jobs(jobs, options, writers, report, cancel);
  writers.commit_all(report);
  remove_unwritten_splits(options, report);
  report.seconds = stopwatch.seconds();
  return report;
}

}  // namespace vidpred
