// libFuzzer target: the CSV reader of the processed PNG layout
// (actions.csv: 4 columns, endeffector_positions.csv: 3). It must either
// return rows x columns finite values or throw an Error naming the file and
// line. What it accepts must survive the round trip through the writer's
// format (write_png_dir_trajectory prints "{:.9g}" joined by commas), and so
// must any finite floats the writer is given.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "converters/png_dir_source.h"
#include "pipeline/core/error.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void check_columns(std::string_view text, int columns) {
  std::vector<float> values;
  try {
    values = vidpred::parse_float_csv(text, columns, "fuzz.csv");
  } catch (const vidpred::Error& e) {
    FUZZ_CHECK(std::string_view(e.what()).substr(0, 13) == "fuzz.csv line");
    return;
  }
  FUZZ_CHECK(values.size() % size_t(columns) == 0);
  // A NUL byte is no part of a number: accepting one would hide a damaged file.
  FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  std::string written;
  for (size_t i = 0; i < values.size(); ++i) {
    FUZZ_CHECK(std::isfinite(values[i]));
    written += fmt::format("{}{:.9g}", i % columns ? "," : "", values[i]);
    if (i % columns == size_t(columns) - 1) written += '\n';
  }
  auto again = vidpred::parse_float_csv(written, columns, "rewritten.csv");
  FUZZ_CHECK(again == values);
}

// The other direction: any finite floats, written as the writer writes them,
// read back as the same floats (the input's bytes taken as floats, 3 a row).
void check_written_floats(const uint8_t* data, size_t size) {
  std::vector<float> values;
  for (size_t i = 0; i + 4 <= size && values.size() < 3 * 64; i += 4) {
    float v;
    std::memcpy(&v, data + i, 4);
    if (std::isfinite(v)) values.push_back(v);
  }
  values.resize(values.size() / 3 * 3);
  std::string written;
  for (size_t i = 0; i < values.size(); ++i) {
    written += fmt::format("{}{:.9g}", i % 3 ? "," : "", values[i]);
    if (i % 3 == 2) written += '\n';
  }
  std::vector<float> read;
  try {
    read = vidpred::parse_float_csv(written, 3, "written.csv");
  } catch (const vidpred::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    FUZZ_CHECK(!"a written CSV reads back");
  }
  FUZZ_CHECK(read == values);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_columns(text, 3);
  check_columns(text, 4);
  check_written_floats(data, size);
  return 0;
}
