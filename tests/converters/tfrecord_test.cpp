#include <doctest/doctest.h>

#include <fstream>

#include <fmt/format.h>
#include <string>
#include <vector>

#include "converters/tfrecord.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> sample_payloads() { return {"first", std::string(1000, 'x'), "", "last record"}; }

fs::path write_records(const test::TempDir& dir, const std::vector<std::string>& payloads) {
  fs::path path = dir / "records.tfrecords";
  TFRecordWriter writer(path);
  for (const auto& p : payloads) writer.write(p);
  writer.close();
  return path;
}

std::vector<std::string> read_all(const fs::path& path) {
  TFRecordReader reader(path);
  std::vector<std::string> out;
  while (auto payload = reader.next()) out.emplace_back(*payload);
  return out;
}

void overwrite_byte(const fs::path& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c;
  f.get(c);
  f.seekp(offset);
  f.put(char(c ^ 0x5a));
}

// Offset of record i's header in a file of sample_payloads().
uint64_t record_offset(size_t i) {
  uint64_t offset = 0;
  auto payloads = sample_payloads();
  for (size_t k = 0; k < i; ++k) offset += kRecordHeaderBytes + payloads[k].size() + kRecordFooterBytes;
  return offset;
}

RecordError read_until_error(const fs::path& path) {
  TFRecordReader reader(path);
  try {
    while (reader.next()) {
    }
  } catch (const RecordError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

}  // namespace

TEST_CASE("TFRecord write and read round trip") {
  test::TempDir dir;
  auto path = write_records(dir, sample_payloads());
  CHECK(read_all(path) == sample_payloads());
  CHECK(frame_record("abc").size() == kRecordHeaderBytes + 3 + kRecordFooterBytes);
  CHECK(test::read_text(path).substr(0, frame_record("first").size()) == frame_record("first"));
}

TEST_CASE("one flipped byte in length, length CRC, payload and payload CRC each gives its own error") {
  test::TempDir dir;
  const size_t victim = 1;  // the 1000-byte record
  const uint64_t start = record_offset(victim);
  struct Case {
    const char* name;
    uint64_t offset;
    RecordFault fault;
  };
  for (Case c : {Case{"length", start + 2, RecordFault::length_crc},
                 Case{"length crc", start + 9, RecordFault::length_crc},
                 Case{"payload", start + kRecordHeaderBytes + 500, RecordFault::data_crc},
                 Case{"payload crc", start + kRecordHeaderBytes + 1000 + 1, RecordFault::data_crc}}) {
    CAPTURE(c.name);
    auto path = write_records(dir, sample_payloads());
    overwrite_byte(path, c.offset);
    RecordError e = read_until_error(path);
    CHECK(e.fault() == c.fault);
    CHECK(e.where().index == victim);
    CHECK(e.where().offset == start);
    std::string message = e.what();
    CHECK(message.find("record 1") != std::string::npos);
    CHECK(message.find(fmt::format("byte {}", start)) != std::string::npos);
    CHECK(message.find(path.string()) != std::string::npos);
  }
}

TEST_CASE("reading recovers after a damaged record") {
  test::TempDir dir;
  for (uint64_t offset : {record_offset(1) + 3, record_offset(1) + kRecordHeaderBytes + 10}) {
    auto path = write_records(dir, sample_payloads());
    overwrite_byte(path, offset);
    TFRecordReader reader(path);
    std::vector<std::string> good;
    int errors = 0;
    while (true) {
      try {
        auto p = reader.next();
        if (!p) break;
        good.emplace_back(*p);
      } catch (const RecordError&) {
        ++errors;
        if (!reader.recover()) break;
      }
    }
    CHECK(errors == 1);
    CHECK(good == std::vector<std::string>{"first", "", "last record"});
  }
}

TEST_CASE("a truncated file is reported as truncated at the last record") {
  test::TempDir dir;
  auto path = write_records(dir, sample_payloads());
  auto size = fs::file_size(path);
  for (uint64_t cut : {uint64_t(5), uint64_t(kRecordFooterBytes + 2)}) {
    auto copy = dir / "cut.tfrecords";
    fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
    fs::resize_file(copy, size - cut);
    RecordError e = read_until_error(copy);
    CHECK(e.fault() == RecordFault::truncated);
    CHECK(e.where().index == 3);
    CHECK(e.where().offset == record_offset(3));
  }
  auto header_only = dir / "header.tfrecords";
  fs::copy_file(path, header_only);
  fs::resize_file(header_only, 7);
  CHECK(read_until_error(header_only).fault() == RecordFault::truncated);
}

TEST_CASE("an empty file has no records and a missing file is an error naming it") {
  test::TempDir dir;
  auto empty = dir / "empty.tfrecords";
  std::ofstream(empty).close();
  CHECK(read_all(empty).empty());
  try {
    TFRecordReader reader(dir / "missing.tfrecords");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("missing.tfrecords") != std::string::npos);
  }
}
