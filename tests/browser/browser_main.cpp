// The browser tests' own main: without Chromium the whole file reports
// "skipped" to CTest (exit 77, its SKIP_RETURN_CODE) instead of passing
// without having looked at a page.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/browser/browser_check.h"

int main(int argc, char** argv) {
  if (!vidpred::test::find_chromium()) {
    std::puts("no chromium on PATH (apt-get install chromium, or set VIDPRED_CHROMIUM): the browser tests are skipped");
    return 77;
  }
  return doctest::Context(argc, argv).run();
}
