// The CUDA tests' own main: without a visible GPU the whole file reports
// "skipped" to CTest (exit 77, its SKIP_RETURN_CODE) instead of passing
// vacuously, so a CPU machine's summary says how many were not run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include <torch/cuda.h>

int main(int argc, char** argv) {
  if (!torch::cuda::is_available()) {
    std::puts("no CUDA device visible: the CUDA tests are skipped");
    return 77;
  }
  return doctest::Context(argc, argv).run();
}
