#include "converters/tfrecord_source.h"

#include <fmt/format.h>

#include "converters/numbered_paths.h"
#include "converters/tfrecord.h"
#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

std::vector<fs::path> sorted_tfrecord_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(fmt::format("'{}' is not a directory", dir.string()));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!has_tfrecord_extension(entry.path())) continue;
    // A record file we cannot read is not skipped in silence: its trajectories would be missing.
    if (!entry.is_regular_file(ec)) {
      throw Error(fmt::format("'{}' is not a readable file (a dangling link or a folder?)", entry.path().string()));
    }
    files.push_back(entry.path());
  }
  sort_by_number(files);
  return files;
}

namespace {

class TFRecordSource : public TrajectorySource {
 public:
  TFRecordSource(const fs::path& root, const std::string& split, Camera camera)
      : root_(root), split_(split), camera_(camera), files_(sorted_tfrecord_files(root / split)) {
    for (const auto& f : files_) total_bytes_ += fs::file_size(f);
  }

  std::optional<SourceItem> next() override {
    while (true) {
      if (!reader_) {
        if (file_index_ >= files_.size()) return std::nullopt;
        reader_.emplace(files_[file_index_]);
        relative_ = fmt::format("{}/{}", split_, files_[file_index_].filename().string());
      }
      uint64_t before = reader_->position();
      try {
        auto payload = reader_->next();
        if (!payload) {
          reader_.reset();
          ++file_index_;
          continue;
        }
        return item(reader_->location(), reader_->position() - before,
                    [payload = *payload, keep = reader_->mapping(), where = reader_->location(),
                     camera = camera_] { return trajectory_from_example(payload, camera, where); });
      } catch (const RecordError& e) {
        // Framing damage: report it through decode() and move past it here.
        RecordLocation where = e.where();
        if (!reader_->recover()) {
          reader_.reset();
          ++file_index_;
        }
        return item(where, 0, [e] () -> Trajectory { throw e; });
      }
    }
  }

  uint64_t total_bytes() const override { return total_bytes_; }

 private:
  SourceItem item(const RecordLocation& where, uint64_t bytes, std::function<Trajectory()> decode) {
    SourceItem it;
    it.source_file = relative_;
    it.source_record = uint32_t(where.index);
    it.bytes = bytes;
    it.decode = std::move(decode);
    return it;
  }

  fs::path root_;
  std::string split_;
  Camera camera_;
  std::vector<fs::path> files_;
  uint64_t total_bytes_ = 0;
  size_t file_index_ = 0;
  std::optional<TFRecordReader> reader_;
  std::string relative_;
};

}  // namespace

std::unique_ptr<TrajectorySource> open_tfrecord_source(const fs::path& root, const std::string& split,
                                                       Camera camera) {
  return std::make_unique<TFRecordSource>(root, split, camera);
}

}  // namespace vidpred
