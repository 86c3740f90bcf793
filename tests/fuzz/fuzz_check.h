#pragma once
// A property check for fuzz targets: on failure it names the condition and
// aborts, which libFuzzer (and the regression runner) report as a crash with
// the input that caused it. Unlike assert(), it stays on in Release builds.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                              \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)
