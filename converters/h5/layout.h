#pragma once
// The converted-dataset layout (version 2), one .h5 file per split:
//   frames       uint8   (N, T, H, W, 3)  one trajectory per chunk, compressed
//   chunk_crc32c uint32  (N)   CRC-32C of each stored chunk (new in version 2)
//   actions      float32 (N, T, 4)
//   endeffector  float32 (N, T, 3)
//   source_file  uint32  (N)   index into source_files
//   source_record uint32 (N)   record number within that file
//   source_files string  (K)
// Root attributes: layout_version, frames, height, width, camera, compression,
// converter_version, created_with, split.
// One writer and one reader; both check what they are given.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "converters/h5/handle.h"
#include "converters/trajectory.h"
#include "pipeline/core/atomic_file.h"

namespace vidpred::h5 {

inline constexpr int kLayoutVersion = 2;
// Version 1 files (no chunk checksums) are still read, unchecked.
inline constexpr int kOldestLayoutVersion = 1;

struct Compression {
  enum class Kind { none, deflate };
  Kind kind = Kind::none;
  int level = 1;
  // "none", "deflate" (level 1) or "deflate:L" with L in 1..9.
  static Compression parse(std::string_view text);
  std::string str() const;
};

struct SplitInfo {
  int frames = 0, height = 64, width = 64;
  std::string camera = "aux1";
  std::string split;         // train, validate, test
  std::string created_with;  // the options that produced it
};

// Writes one split. Everything goes to `<path>.partial` until commit().
class DatasetWriter {
 public:
  DatasetWriter(std::filesystem::path path, SplitInfo info, Compression compression);
  ~DatasetWriter();

  // The stored chunk of a trajectory's frames. Pure and thread-safe: callers
  // compress in parallel and append in order.
  static std::string encode_chunk(const Trajectory& trajectory, Compression compression);

  void append(const Trajectory& trajectory, std::string_view encoded_chunk,
              std::string_view source_file, uint32_t source_record);
  void append(const Trajectory& trajectory, std::string_view source_file, uint32_t source_record);

  // Throws an Error naming the file when `trajectory` has another shape than
  // the split's. append() checks too; a caller that skips such trajectories
  // checks first, so that it skips shape problems only, never write errors.
  void check_shape(const Trajectory& trajectory) const;

  size_t size() const { return count_; }
  uint64_t chunk_bytes() const { return chunk_bytes_; }
  const std::filesystem::path& path() const { return file_.final_path(); }
  bool replaced_leftover() const { return file_.replaced_leftover(); }

  // Writes the per-trajectory tables, closes the file and renames it into place.
  void commit();

 private:
  AtomicFile file_;
  SplitInfo info_;
  Compression compression_;
  Handle h5file_, frames_;
  size_t count_ = 0;
  uint64_t chunk_bytes_ = 0;
  std::vector<float> actions_, endeffector_;
  std::vector<uint32_t> source_file_, source_record_, chunk_crc_;
  std::vector<std::string> source_files_;
  std::map<std::string, uint32_t, std::less<>> source_index_;
};

// A trajectory's stored frames, read without decoding.
struct RawChunk {
  std::vector<char> bytes;
  uint32_t filter_mask = 0;
};

class DatasetReader {
 public:
  // Opens and checks a split; refuses files of another layout, version or shape
  // with a message naming the file and what is wrong.
  explicit DatasetReader(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  size_t size() const { return count_; }
  const SplitInfo& info() const { return info_; }
  const Compression& compression() const { return compression_; }
  const std::map<std::string, std::string>& attributes() const { return attributes_; }
  size_t frame_bytes() const { return size_t(info_.height) * info_.width * kChannels; }

  // One HDF5 call (HDF5 serialises calls internally); safe from any thread.
  RawChunk read_chunk(size_t index) const;
  // Checks the chunk's checksum, then decodes frames [first, first + count)
  // of trajectory `index` into `out` (count * frame_bytes()). No HDF5 call:
  // runs in parallel.
  void decode(const RawChunk& chunk, size_t index, int first, int count, uint8_t* out) const;
  Trajectory read(size_t index) const;

  const float* actions(size_t index) const { return &actions_[index * info_.frames * kActionDim]; }
  const float* endeffector(size_t index) const {
    return &endeffector_[index * info_.frames * kEndEffectorDim];
  }
  const std::string& source_file(size_t index) const { return source_files_[source_file_[index]]; }
  uint32_t source_record(size_t index) const { return source_record_[index]; }
  // "FILE sample I (from SOURCE record R)", for messages about one sample.
  std::string describe(size_t index) const;

 private:
  // The constructor's steps, in order; each throws on what it finds wrong.
  void open_file();
  long long read_attributes();  // returns the layout version
  void open_frames();           // and how its chunks are stored
  void read_tables(long long layout_version);
  void read_source_files();

  std::filesystem::path path_;
  Handle h5file_, frames_;
  SplitInfo info_;
  Compression compression_;
  bool direct_chunks_ = true;  // false: a filter we do not decode ourselves
  size_t count_ = 0;
  std::map<std::string, std::string> attributes_;
  std::vector<float> actions_, endeffector_;
  std::vector<uint32_t> source_file_, source_record_;
  std::vector<uint32_t> chunk_crc_;  // empty for version 1 files
  std::vector<std::string> source_files_;
};

}  // namespace vidpred::h5
