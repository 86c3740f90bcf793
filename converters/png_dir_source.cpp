#include "converters/png_dir_source.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "converters/image_codec.h"
#include "converters/numbered_paths.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

std::vector<float> parse_float_csv(std::string_view text, int columns, const std::string& file) {
  std::vector<float> values;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string line(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    // strtof stops at a NUL byte, which would silently drop the rest of the line.
    if (line.find('\0') != std::string::npos) {
      throw Error(fmt::format("{} line {}: contains a NUL byte (a damaged file?)", file, line_number));
    }
    int found = 0;
    const char* p = line.c_str();
    while (true) {
      char* after = nullptr;
      float v = std::strtof(p, &after);
      // Overflow gives inf and is refused; underflow (ERANGE with a tiny or
      // zero result) is a float's nearest value, as the writer wrote it.
      if (after == p || !std::isfinite(v)) {
        throw Error(fmt::format("{} line {}: '{}' is not a list of numbers", file, line_number, line));
      }
      values.push_back(v);
      ++found;
      p = after;
      while (*p == ' ' || *p == '\t') ++p;
      if (*p == '\0') break;
      if (*p != ',') {
        throw Error(fmt::format("{} line {}: unexpected '{}' in '{}' (values are separated by commas)", file,
                                line_number, *p, line));
      }
      ++p;
    }
    if (found != columns) {
      throw Error(fmt::format("{} line {}: expected {} values, found {}", file, line_number, columns, found));
    }
  }
  return values;
}

int count_numbered_frames(const fs::path& dir) {
  int frames = 0;
  std::error_code ec;
  while (fs::exists(dir / fmt::format("{}.png", frames), ec)) ++frames;
  if (frames == 0) return 0;
  // Frames are 0.png .. (frames-1).png; any other PNG is a gap after them or a stray file.
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".png") continue;
    const std::string stem = entry.path().stem().string();
    int64_t number = -1;
    auto [end, error] = std::from_chars(stem.data(), stem.data() + stem.size(), number);
    const bool numbered = error == std::errc() && end == stem.data() + stem.size() && number >= 0;
    if (numbered && number < frames) continue;
    if (numbered) {
      throw Error(fmt::format("'{}': frame {}.png is missing ({} comes after it)", dir.string(), frames,
                              entry.path().filename().string()));
    }
    throw Error(fmt::format("'{}': '{}' is not a numbered frame (frames are 0.png, 1.png, ...)", dir.string(),
                            entry.path().filename().string()));
  }
  return frames;
}

std::vector<uint8_t> read_numbered_frame(const fs::path& dir, int index, int height, int width) {
  const fs::path png = dir / fmt::format("{}.png", index);
  const std::string bytes = read_file(png);
  try {
    return decode_rgb_image(bytes, height, width);
  } catch (const BuildLacks&) {
    throw;
  } catch (const Error& e) {
    throw Error(fmt::format("'{}': {}", png.string(), e.what()));
  }
}

std::vector<float> read_float_csv(const fs::path& file, int columns) {
  return parse_float_csv(read_file(file), columns, file.string());
}

namespace {

std::vector<fs::path> sorted_subdirectories(const fs::path& dir) {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  sort_by_number(dirs);
  return dirs;
}

Trajectory read_trajectory_dir(const fs::path& dir) {
  Trajectory t;
  t.frames = count_numbered_frames(dir);
  if (t.frames == 0) throw Error(fmt::format("'{}': no frame 0.png", dir.string()));
  t.pixels.resize(t.frames * t.frame_bytes());
  for (int i = 0; i < t.frames; ++i) {
    auto rgb = read_numbered_frame(dir, i, t.height, t.width);
    std::copy(rgb.begin(), rgb.end(), t.pixels.begin() + i * t.frame_bytes());
  }
  auto read_csv = [&](const char* name, int columns) {
    fs::path file = dir / name;
    auto values = read_float_csv(file, columns);
    if (values.size() != size_t(t.frames) * columns) {
      throw Error(fmt::format("'{}': {} rows for {} frames", file.string(), values.size() / columns, t.frames));
    }
    return values;
  };
  t.actions = read_csv(kActionsCsv, kActionDim);
  t.endeffector = read_csv(kEndEffectorCsv, kEndEffectorDim);
  return t;
}

class PngDirSource : public TrajectorySource {
 public:
  PngDirSource(const fs::path& root, const std::string& split) : split_(split) {
    fs::path base = root / split;
    std::error_code ec;
    if (!fs::is_directory(base, ec)) throw Error(fmt::format("'{}' is not a directory", base.string()));
    for (const auto& a : sorted_subdirectories(base)) {
      // A trajectory one level up would otherwise be passed over in silence.
      if (fs::exists(a / "0.png", ec)) {
        throw Error(fmt::format("'{}' holds frames itself; the layout is {}/A/B/0.png (one folder deeper)",
                                a.string(), base.string()));
      }
      for (const auto& b : sorted_subdirectories(a)) dirs_.push_back(b);
    }
    for (const auto& d : dirs_) {
      for (const auto& entry : fs::directory_iterator(d)) {
        if (entry.is_regular_file()) total_bytes_ += entry.file_size();
      }
    }
    base_ = base;
  }

  std::optional<SourceItem> next() override {
    if (index_ >= dirs_.size()) return std::nullopt;
    const fs::path& dir = dirs_[index_++];
    SourceItem item;
    item.source_file = fmt::format("{}/{}", split_, fs::relative(dir, base_).generic_string());
    item.source_record = 0;
    item.decode = [dir] { return read_trajectory_dir(dir); };
    item.bytes = total_bytes_ / std::max<size_t>(1, dirs_.size());
    return item;
  }

  uint64_t total_bytes() const override { return total_bytes_; }
  uint64_t total_items() const override { return dirs_.size(); }

 private:
  std::string split_;
  fs::path base_;
  std::vector<fs::path> dirs_;
  size_t index_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace

std::unique_ptr<TrajectorySource> open_png_dir_source(const fs::path& root, const std::string& split) {
  return std::make_unique<PngDirSource>(root, split);
}

void write_png_dir_trajectory(const Trajectory& t, const fs::path& dir) {
  for (int i = 0; i < t.frames; ++i) {
    write_file_atomically(dir / fmt::format("{}.png", i), encode_png(t.frame(i), t.height, t.width));
  }
  auto csv = [&](const std::vector<float>& values, int columns) {
    std::string text;
    for (int i = 0; i < t.frames; ++i) {
      for (int c = 0; c < columns; ++c) text += fmt::format("{}{:.9g}", c ? "," : "", values[i * columns + c]);
      text += '\n';
    }
    return text;
  };
  write_file_atomically(dir / kActionsCsv, csv(t.actions, kActionDim));
  write_file_atomically(dir / kEndEffectorCsv, csv(t.endeffector, kEndEffectorDim));
}

}  // namespace vidpred
