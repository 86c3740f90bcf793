// The tensorboard writer: event files that read back through our TFRecord
// reader with valid CRCs, TensorBoard's header event, exact scalars with their
// tags and steps, and images that decode as PNGs of their stated size.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <map>
#include <utility>

#include "converters/tfrecord.h"
#include "stages/writers/proto/event.pb.h"
#include "tests/stages/writers/writer_fixtures.h"
#include "tests/support/temp_dir.h"
#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>

#include "stages/writers/canvas.h"
#endif

using namespace vidpred;
namespace fs = std::filesystem;
namespace tb = vidpred::tbproto;

namespace {

// Every event of a file; a damaged record throws RecordError.
std::vector<tb::Event> read_events(const fs::path& path) {
  TFRecordReader reader(path);
  std::vector<tb::Event> events;
  while (auto payload = reader.next()) {
    tb::Event event;
    REQUIRE(event.ParseFromArray(payload->data(), int(payload->size())));
    events.push_back(std::move(event));
  }
  return events;
}

// (tag, step) -> the simple_values logged there, in file order.
using Scalars = std::map<std::pair<std::string, int64_t>, std::vector<float>>;
Scalars scalars_of(const std::vector<tb::Event>& events) {
  Scalars scalars;
  for (const auto& event : events) {
    for (const auto& value : event.summary().value()) {
      if (value.has_simple_value()) scalars[{value.tag(), event.step()}].push_back(value.simple_value());
    }
  }
  return scalars;
}

using Values = std::vector<float>;

fs::path only_file(const stages::Writer& writer) {
  REQUIRE(writer.files().size() == 1);
  return writer.files()[0];
}

}  // namespace

TEST_CASE("tensorboard: epochs, final scalars and curves read back exactly") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'tensorboard'");
  writer->begin({dir.path(), "train"});
  writer->epoch(1, {{"loss", 0.125}, {"val_psnr", 21.3}});
  writer->epoch(2, {{"loss", 0.0625}, {"val_psnr", 23.7}, {"kl_factor", 0.5}});
  stages::Figure psnr{"psnr_per_step", "", "step", "dB", {{"best", {1, 2, 3}, {30.5, 28.25, 26.0}}}};
  writer->end({psnr}, {{"loss", 0.05}});

  fs::path path = only_file(*writer);
  CHECK(path.parent_path() == dir.path());
  std::string name = path.filename().string();
  CHECK(name.rfind("events.out.tfevents.", 0) == 0);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  CHECK(name.find(host) != std::string::npos);

  std::vector<tb::Event> events = read_events(path);
  REQUIRE(!events.empty());
  CHECK(events[0].file_version() == "brain.Event:2");
  CHECK(events[0].wall_time() > 1.6e9);

  // Scalar values are floats in the file: exact for these, float(x) in general.
  Scalars scalars = scalars_of(events);
  CHECK(scalars.size() == 5 + 3);
  CHECK(scalars.at({"train/loss", 1}) == Values{0.125f});
  CHECK(scalars.at({"train/val_psnr", 1}) == Values{float(21.3)});
  CHECK(scalars.at({"train/val_psnr", 2}) == Values{float(23.7)});
  CHECK(scalars.at({"train/kl_factor", 2}) == Values{0.5f});
  // The final scalars come at the last epoch's step, after that epoch's own.
  CHECK(scalars.at({"train/loss", 2}) == Values{0.0625f, 0.05f});
  CHECK(scalars.at({"psnr_per_step/best", 1}) == Values{30.5f});
  CHECK(scalars.at({"psnr_per_step/best", 2}) == Values{28.25f});
  CHECK(scalars.at({"psnr_per_step/best", 3}) == Values{26.0f});
}

TEST_CASE("tensorboard: the file can be read while the run goes on") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'tensorboard'");
  writer->begin({dir.path(), "train"});
  writer->epoch(1, {{"loss", 1.5}});
  // No end() yet: TensorBoard tails the file during training.
  auto events = read_events(only_file(*writer));
  REQUIRE(events.size() == 2);
  CHECK(scalars_of(events).at({"train/loss", 1}) == Values{1.5f});
  writer->end({}, {});
  CHECK_THROWS_AS(writer->epoch(2, {{"loss", 1.0}}), Error);  // after end(): no file to write to
}

TEST_CASE("tensorboard: two writers in one folder in the same second get different files") {
  test::TempDir dir;
  auto first = test::make_writer("type = 'tensorboard'");
  auto second = test::make_writer("type = 'tensorboard'");
  first->begin({dir.path(), "train"});
  second->begin({dir.path(), "train"});
  CHECK(only_file(*first) != only_file(*second));
  first->end({}, {});
  second->end({}, {});
  CHECK(read_events(only_file(*first)).size() == 1);
  CHECK(read_events(only_file(*second)).size() == 1);
}

#ifdef VIDPRED_HAVE_IMAGE_IO
TEST_CASE("tensorboard: the first sequences become PNG images of truth over best") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'tensorboard'\nimages = 2");
  writer->begin({dir.path(), "eval"});
  for (int64_t index : {4, 5, 6}) writer->sequence(test::synthetic_sequence(index, 2, 10));
  writer->end({}, {{"psnr", 24.5}});

  fs::path path = only_file(*writer);
  CHECK(path.parent_path() == dir.path());
  std::vector<std::string> tags;
  for (const auto& event : read_events(path)) {
    for (const auto& value : event.summary().value()) {
      if (!value.has_image()) continue;
      tags.push_back(value.tag());
      const auto& image = value.image();
      const std::string& png = image.encoded_image_string();
      cv::Mat decoded = cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_COLOR);
      REQUIRE_FALSE(decoded.empty());
      CHECK(decoded.cols == image.width());
      CHECK(decoded.rows == image.height());
      CHECK(image.colorspace() == 3);
      using namespace stages::canvas;
      CHECK(image.width() == kRowLabelWidth + 12 * (64 + kGap));
      CHECK(image.height() == kTextRowHeight + 2 * (64 + kGap));
    }
  }
  CHECK(tags == std::vector<std::string>{"eval/sequence_4", "eval/sequence_5"});
  CHECK(scalars_of(read_events(path)).at({"eval/psnr", 0}) == Values{24.5f});
}
#endif

TEST_CASE("tensorboard: a damaged record is found by the reader's CRC check") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'tensorboard'");
  writer->begin({dir.path(), "train"});
  writer->epoch(1, {{"loss", 2.0}});
  writer->end({}, {});
  fs::path path = only_file(*writer);
  std::string bytes = test::read_text(path);
  bytes[bytes.size() - 8] ^= 0x40;  // inside the last record's payload
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
  CHECK_THROWS_AS(read_events(path), RecordError);
}

