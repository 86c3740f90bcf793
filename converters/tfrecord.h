#pragma once
// TFRecord framing: uint64 length, masked CRC-32C of the length, payload,
// masked CRC-32C of the payload (all little-endian).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/core/error.h"

namespace vidpred {

inline constexpr size_t kRecordHeaderBytes = 12;  // length + its CRC
inline constexpr size_t kRecordFooterBytes = 4;   // payload CRC

// Where a record is: every message about a bad record names all three.
struct RecordLocation {
  std::string file;
  uint64_t index = 0;   // 0-based record number in the file
  uint64_t offset = 0;  // byte offset of the record's header
  std::string str() const;  // "FILE: record 3 at byte 1234"
};

enum class RecordFault {
  truncated,
  length_crc,
  data_crc,
  bad_example,      // payload is not a parsable tf.train.Example
  missing_feature,  // a key the trajectory needs is absent
  wrong_size,       // a feature has the wrong byte or float count
};
const char* fault_name(RecordFault fault);

class RecordError : public Error {
 public:
  RecordError(RecordFault fault, RecordLocation where, const std::string& detail);
  RecordFault fault() const { return fault_; }
  const RecordLocation& where() const { return where_; }
  const std::string& detail() const { return detail_; }

 private:
  RecordFault fault_;
  RecordLocation where_;
  std::string detail_;
};

// A read-only memory mapping of a whole file (RAII).
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
};

class TFRecordReader {
 public:
  explicit TFRecordReader(const std::filesystem::path& path);

  // The next record's payload, a view into the mapped file that stays valid
  // while mapping() is held; nullopt at a clean end of file. Throws RecordError.
  std::optional<std::string_view> next();

  // The record last returned, or the one that next() rejected.
  const RecordLocation& location() const { return where_; }

  // After next() threw, moves past the damaged record (resynchronising on the
  // next valid header when the length itself is damaged). False when nothing
  // more can be read from the file.
  bool recover();

  uint64_t position() const { return position_; }
  uint64_t size() const { return file_->size(); }
  std::shared_ptr<const MappedFile> mapping() const { return file_; }

 private:
  bool valid_header_at(uint64_t offset) const;

  std::shared_ptr<const MappedFile> file_;
  RecordLocation where_;
  uint64_t position_ = 0;
  uint64_t next_index_ = 0;
  std::optional<RecordFault> last_fault_;
  uint64_t last_length_ = 0;
};

class TFRecordWriter {
 public:
  // Creates (truncates) `path`. Use an AtomicFile's path for all-or-nothing output.
  explicit TFRecordWriter(const std::filesystem::path& path);
  ~TFRecordWriter();
  TFRecordWriter(const TFRecordWriter&) = delete;
  TFRecordWriter& operator=(const TFRecordWriter&) = delete;

  void write(std::string_view payload);
  void flush();
  void close();  // reports a failed final write (disk full) as an Error naming the file
  uint64_t bytes_written() const { return bytes_; }

 private:
  std::filesystem::path path_;
  std::FILE* file_;
  uint64_t bytes_ = 0;
};

// The bytes of one framed record (header + payload + footer).
std::string frame_record(std::string_view payload);

// Named as record files are: .tfrecords (BAIR's) or .tfrecord.
inline bool has_tfrecord_extension(const std::filesystem::path& path) {
  return path.extension() == ".tfrecords" || path.extension() == ".tfrecord";
}

}  // namespace vidpred
