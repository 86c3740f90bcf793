#include "converters/synth/bair_files.h"

#include <atomic>
#include <mutex>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "converters/bair_example.h"
#include "converters/tfrecord.h"
#include "pipeline/core/arena.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/directory_lock.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/stopwatch.h"

namespace vidpred::synth {
namespace fs = std::filesystem;

namespace {

struct FileJob {
  fs::path path;
  uint64_t first_index;  // world index of the file's first trajectory
  int64_t first, count;
};

void plan_split(std::vector<FileJob>& jobs, const fs::path& dir, int64_t count, uint64_t index_base) {
  for (int64_t first = 0; first < count; first += kTrajectoriesPerFile) {
    int64_t n = std::min<int64_t>(kTrajectoriesPerFile, count - first);
    auto name = fmt::format("traj_{}_to_{}.tfrecords", first, first + n - 1);
    jobs.push_back({dir / name, index_base + uint64_t(first), first, n});
  }
}

// Record files this run would not write (an earlier synth with more
// trajectories, or somebody's real data) would join the dataset unseen;
// they are not ours to delete either.
void refuse_foreign_records(const std::vector<FileJob>& jobs, const std::vector<fs::path>& dirs) {
  std::set<fs::path> planned;
  for (const auto& job : jobs) planned.insert(job.path);
  std::error_code ec;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (has_tfrecord_extension(entry.path()) && !planned.count(entry.path())) {
        throw Error(fmt::format("'{}' is not a file this synth writes (left by a run with other --train/--test?); "
                                "remove it or choose another --out",
                                entry.path().string()));
      }
    }
  }
}

}  // namespace

SynthReport write_bair_tfrecords(const SynthOptions& options, const CancelToken& cancel) {
  Stopwatch stopwatch;
  fs::path root = options.out / "softmotion30_44k";
  std::vector<FileJob> jobs;
  plan_split(jobs, root / "train", options.train, 0);
  plan_split(jobs, root / "test", options.test, kTestIndexBase);
  DirectoryLock lock(options.out, "choose another --out");
  refuse_foreign_records(jobs, {root / "train", root / "test"});

  ProgressBar progress("synth", uint64_t(options.train + options.test), "traj");
  std::mutex progress_mutex;
  std::atomic<uint64_t> bytes{0};
  Arena arena(options.threads);
  arena.execute([&] {
    tbb::parallel_for(size_t(0), jobs.size(), [&](size_t j) {
      const FileJob& job = jobs[j];
      AtomicFile file(job.path);
      TFRecordWriter writer(file.path());
      for (int64_t i = 0; i < job.count; ++i) {
        cancel.throw_if_cancelled();
        SynthTrajectory t = simulate(options.seed, job.first_index + uint64_t(i), options.world);
        writer.write(example_from_trajectory(t.aux1, t.main_pixels));
        std::lock_guard lock(progress_mutex);
        progress.advance(1);
      }
      writer.close();
      bytes += writer.bytes_written();
      file.commit();
    });
  });
  progress.finish();
  SynthReport report;
  report.files = int64_t(jobs.size());
  report.trajectories = options.train + options.test;
  report.bytes = bytes;
  report.seconds = stopwatch.seconds();
  return report;
}

}  // namespace vidpred::synth
