// libFuzzer target: the TFRecord framing reader on arbitrary file contents.
// Reads every record, calls recover() after each error until the end, and
// checks what the reader promises: every payload it returns is exactly the
// framed record at its location, positions only move forward, and the loop
// ends (at most one step per byte).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "converters/tfrecord.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// The reader maps a path; an anonymous memory file keeps the disk out of the
// loop and is gone when closed.
class MemoryFile {
 public:
  MemoryFile(const uint8_t* data, size_t size) : fd_(memfd_create("fuzz-tfrecord", MFD_CLOEXEC)) {
    FUZZ_CHECK(fd_ >= 0);
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::write(fd_, data + done, size - done);
      FUZZ_CHECK(n > 0);
      done += size_t(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemoryFile file(data, size);
  vidpred::TFRecordReader reader(file.path());
  FUZZ_CHECK(reader.size() == size);
  uint64_t steps = 0, last_offset = 0;
  bool first = true;
  while (true) {
    FUZZ_CHECK(++steps <= size + 2);  // every step consumes at least one byte
    uint64_t before = reader.position();
    try {
      auto payload = reader.next();
      if (!payload) {
        FUZZ_CHECK(reader.position() >= reader.size());
        break;
      }
      const auto& where = reader.location();
      FUZZ_CHECK(first || where.offset > last_offset);
      FUZZ_CHECK(where.offset == before);
      std::string framed = vidpred::frame_record(*payload);
      FUZZ_CHECK(where.offset + framed.size() <= size);
      FUZZ_CHECK(std::memcmp(framed.data(), data + where.offset, framed.size()) == 0);
      FUZZ_CHECK(reader.position() == where.offset + framed.size());
      last_offset = where.offset;
      first = false;
    } catch (const vidpred::RecordError& e) {
      FUZZ_CHECK(e.where().offset == before);
      FUZZ_CHECK(!e.detail().empty());
      bool more = reader.recover();
      FUZZ_CHECK(reader.position() > before || !more);
      if (!more) break;
      last_offset = e.where().offset;
      first = false;
    }
  }
  return 0;
}
