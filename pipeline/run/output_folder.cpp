#include "pipeline/run/output_folder.h"

#include <fmt/format.h>

#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

fs::path marker(const fs::path& dir, const std::string& command) { return dir / (".vidpred-" + command); }

// Replaces `out` by the finished `staging` folder; an earlier `out` goes only
// once the new one is in place.
void move_into_place(const fs::path& staging, const fs::path& out) {
  std::error_code ec;
  fs::path old = out;
  old += ".vidpred-old";  // a name of ours: a user's OUT.old is never touched
  const bool replacing = fs::exists(out, ec);
  if (replacing) {
    fs::remove_all(old, ec);
    fs::rename(out, old, ec);
    if (ec) throw Error(fmt::format("cannot replace '{}': {}", out.string(), ec.message()));
  }
  fs::rename(staging, out, ec);
  if (ec) {
    std::error_code back;
    if (replacing) fs::rename(old, out, back);  // the earlier output stays where it was
    throw Error(fmt::format("cannot rename '{}' to '{}': {}", staging.string(), out.string(), ec.message()));
  }
  fs::remove_all(old, ec);
}

}  // namespace

void OutputFolder::check() const {
  std::error_code ec;
  if (out.empty()) throw Error("give the output folder with --out DIR");
  if (!fs::exists(out, ec)) return;
  const bool empty = fs::is_directory(out, ec) && fs::is_empty(out, ec);
  if (empty) return;
  if (!fs::exists(marker(out, command), ec)) {
    throw Error(fmt::format("'{}' exists and is not the output of vidpred {}; choose another --out", out.string(),
                            command));
  }
  if (!force) throw Error(fmt::format("'{}' holds {}; pass --force to replace it", out.string(), earlier));
}

std::vector<fs::path> OutputFolder::write(const std::function<std::vector<fs::path>(const fs::path&)>& write) const {
  fs::path staging = out;
  staging += ".partial";
  std::error_code ec;
  fs::remove_all(staging, ec);  // a leftover of a killed run
  if (ec) throw Error(fmt::format("cannot remove the leftover '{}': {}", staging.string(), ec.message()));
  fs::create_directories(staging, ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", staging.string(), ec.message()));
  std::vector<fs::path> files;
  try {
    files = write(staging);
    std::string listing = fmt::format("# written by vidpred {}; --force replaces this folder\n", command);
    for (const auto& f : files) listing += f.generic_string() + "\n";
    write_file_atomically(marker(staging, command), listing);
    move_into_place(staging, out);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  for (auto& f : files) f = out / f;
  return files;
}

}  // namespace vidpred
