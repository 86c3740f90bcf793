// The fuzz targets as ordinary tests (CTest fuzz-regressions/<target> in the
// normal build, no libFuzzer): runs LLVMFuzzerTestOneInput on every file of
// the folders given (the seed corpus and every input that ever crashed a
// fuzzer). A failed check aborts, naming the input printed just before.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(argv[i], ec)) {
      if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') inputs.push_back(entry.path());
    }
    // A missing folder is a target without regressions yet; any other error is not.
    if (ec && ec != std::errc::no_such_file_or_directory) {
      std::fprintf(stderr, "cannot list '%s': %s\n", argv[i], ec.message().c_str());
      return 1;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "no inputs in the folders given\n");
    return 1;
  }
  for (const auto& path : inputs) {
    std::fprintf(stderr, "input %s\n", path.c_str());
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "cannot read '%s'\n", path.c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%zu inputs ok\n", inputs.size());
  return 0;
}
