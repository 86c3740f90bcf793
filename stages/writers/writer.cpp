#include "stages/writers/writer.h"

#include <algorithm>

#include "pipeline/core/atomic_file.h"

namespace vidpred::stages {

std::filesystem::path Writer::write_file(const std::string& name, std::string_view bytes) {
  std::filesystem::path path = context_.dir / name;
  write_file_atomically(path, bytes);
  record(path);
  return path;
}

void Writer::record(const std::filesystem::path& path) {
  if (std::find(files_.begin(), files_.end(), path) == files_.end()) files_.push_back(path);
}

}  // namespace vidpred::stages
