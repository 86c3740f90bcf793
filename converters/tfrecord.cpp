#include "converters/tfrecord.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "converters/crc32c.h"
#include "pipeline/core/atomic_file.h"

namespace vidpred {

std::string RecordLocation::str() const {
  return fmt::format("{}: record {} at byte {}", file, index, offset);
}

const char* fault_name(RecordFault fault) {
  switch (fault) {
    case RecordFault::truncated: return "truncated record";
    case RecordFault::length_crc: return "bad length CRC";
    case RecordFault::data_crc: return "bad data CRC";
    case RecordFault::bad_example: return "not a tf.train.Example";
    case RecordFault::missing_feature: return "missing feature";
    case RecordFault::wrong_size: return "wrong feature size";
  }
  return "bad record";
}

RecordError::RecordError(RecordFault fault, RecordLocation where, const std::string& detail)
    : Error(fmt::format("{}: {}: {}", where.str(), fault_name(fault), detail)),
      fault_(fault),
      where_(std::move(where)),
      detail_(detail) {}

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path.string()) {
  int fd = ::open(path.c_str(), O_RDONLY);
  check_io(fd >= 0, path, "open");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(fmt::format("cannot read '{}': not a regular file", path_));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    ::close(fd);
    errno = saved;
    check_io(p != MAP_FAILED, path, "map");
    data_ = static_cast<const char*>(p);
    ::madvise(const_cast<char*>(data_), size_, MADV_SEQUENTIAL);
  } else {
    ::close(fd);
  }
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

namespace {
uint64_t load_u64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint32_t load_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace

TFRecordReader::TFRecordReader(const std::filesystem::path& path)
    : file_(std::make_shared<MappedFile>(path)) {
  where_.file = file_->path();
}

bool TFRecordReader::valid_header_at(uint64_t offset) const {
  if (offset + kRecordHeaderBytes > size()) return false;
  const char* p = file_->data() + offset;
  if (crc32c::mask(crc32c::value(p, 8)) != load_u32(p + 8)) return false;
  uint64_t length = load_u64(p);
  return offset + kRecordHeaderBytes + kRecordFooterBytes <= size() &&
         length <= size() - offset - kRecordHeaderBytes - kRecordFooterBytes;
}

std::optional<std::string_view> TFRecordReader::next() {
  if (position_ >= size()) return std::nullopt;
  where_.index = next_index_++;
  where_.offset = position_;
  last_fault_.reset();
  const char* base = file_->data() + position_;
  uint64_t available = size() - position_;
  auto fail = [&](RecordFault fault, const std::string& detail) {
    last_fault_ = fault;
    throw RecordError(fault, where_, detail);
  };
  if (available < kRecordHeaderBytes) {
    fail(RecordFault::truncated, fmt::format("only {} bytes left, a header needs 12", available));
  }
  uint64_t length = load_u64(base);
  uint32_t stored = load_u32(base + 8);
  uint32_t computed = crc32c::mask(crc32c::value(base, 8));
  if (stored != computed) {
    fail(RecordFault::length_crc,
         fmt::format("stored 0x{:08x}, computed 0x{:08x}", stored, computed));
  }
  last_length_ = length;
  if (length > available - kRecordHeaderBytes ||
      available - kRecordHeaderBytes - length < kRecordFooterBytes) {
    fail(RecordFault::truncated,
         fmt::format("length {} but only {} bytes left", length, available - kRecordHeaderBytes));
  }
  std::string_view payload(base + kRecordHeaderBytes, length);
  stored = load_u32(base + kRecordHeaderBytes + length);
  computed = crc32c::mask(crc32c::value(payload.data(), payload.size()));
  if (stored != computed) {
    fail(RecordFault::data_crc,
         fmt::format("payload of {} bytes: stored 0x{:08x}, computed 0x{:08x}", length, stored,
                     computed));
  }
  position_ += kRecordHeaderBytes + length + kRecordFooterBytes;
  return payload;
}

bool TFRecordReader::recover() {
  if (!last_fault_) return position_ < size();
  switch (*last_fault_) {
    case RecordFault::data_crc:
      position_ = where_.offset + kRecordHeaderBytes + last_length_ + kRecordFooterBytes;
      break;
    case RecordFault::length_crc: {
      // The length cannot be trusted: look for the next offset that starts a
      // header with a valid CRC.
      uint64_t offset = where_.offset + 1;
      while (offset + kRecordHeaderBytes <= size() && !valid_header_at(offset)) ++offset;
      position_ = offset + kRecordHeaderBytes <= size() ? offset : size();
      break;
    }
    default:
      position_ = size();
      break;
  }
  last_fault_.reset();
  return position_ < size();
}

std::string frame_record(std::string_view payload) {
  std::string out(kRecordHeaderBytes + payload.size() + kRecordFooterBytes, '\0');
  uint64_t length = payload.size();
  std::memcpy(out.data(), &length, 8);
  uint32_t length_crc = crc32c::mask(crc32c::value(out.data(), 8));
  std::memcpy(out.data() + 8, &length_crc, 4);
  std::memcpy(out.data() + kRecordHeaderBytes, payload.data(), payload.size());
  uint32_t data_crc = crc32c::mask(crc32c::value(payload.data(), payload.size()));
  std::memcpy(out.data() + kRecordHeaderBytes + payload.size(), &data_crc, 4);
  return out;
}

TFRecordWriter::TFRecordWriter(const std::filesystem::path& path)
    : path_(path), file_(std::fopen(path.c_str(), "wb")) {
  check_io(file_ != nullptr, path_, "create");
}

TFRecordWriter::~TFRecordWriter() {
  if (file_) std::fclose(file_);
}

void TFRecordWriter::write(std::string_view payload) {
  char header[kRecordHeaderBytes];
  uint64_t length = payload.size();
  std::memcpy(header, &length, 8);
  uint32_t length_crc = crc32c::mask(crc32c::value(header, 8));
  std::memcpy(header + 8, &length_crc, 4);
  uint32_t data_crc = crc32c::mask(crc32c::value(payload.data(), payload.size()));
  bool ok = std::fwrite(header, 1, sizeof header, file_) == sizeof header &&
            std::fwrite(payload.data(), 1, payload.size(), file_) == payload.size() &&
            std::fwrite(&data_crc, 1, 4, file_) == 4;
  check_io(ok, path_, "write");
  bytes_ += kRecordHeaderBytes + payload.size() + kRecordFooterBytes;
}

void TFRecordWriter::flush() { check_io(std::fflush(file_) == 0, path_, "write"); }

void TFRecordWriter::close() {
  if (!file_) return;
  int result = std::fclose(file_);
  file_ = nullptr;
  check_io(result == 0, path_, "write");
}

}  // namespace vidpred
