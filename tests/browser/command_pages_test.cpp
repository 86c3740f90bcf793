// The pages predict, plan and control write, in a real browser: each made by
// the vidpred binary as a user runs it (a tiny run trained for one epoch),
// then opened from disk in headless Chromium, where every picture must load
// with no script or console error and the screenshot must show something.
#include <doctest/doctest.h>

#include "tests/browser/browser_check.h"
#include "tests/support/features.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace vidpred;

#ifdef VIDPRED_BINARY
namespace {

void vidpred_ok(const std::string& args) {
  const test::CommandResult r = test::run_vidpred(args);
  INFO("vidpred " << args << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("browser: the predict, plan and control pages show every picture" *
          doctest::skip(!test::kHaveImageIo || !test::kHaveGif)) {
  test::TempDir dir;
  const std::string d = dir.path().string();
  vidpred_ok("synth --out " + d + "/raw --train 8 --test 2 --frames 12");
  vidpred_ok("convert " + d + "/raw/softmotion30_44k --out " + d + "/h5 --validate-fraction 0.25");
  vidpred_ok("train " + std::string(VIDPRED_SOURCE_DIR) + "/configs/test-tiny.toml --set data.root=" + d +
             "/h5 --set run.dir=" + d + "/run --set train.epochs=1");
  vidpred_ok("predict " + d + "/run --from " + d + "/h5/test.h5 --index 0 --out " + d + "/predict");
  vidpred_ok("inspect " + d + "/h5/test.h5 --dump 1 " + d + "/start");
  const std::string small_search = " --set planner.samples=20 --set planner.iterations=2 --set planner.elites=4";
  vidpred_ok("plan " + d + "/run --from " + d + "/h5/test.h5 --index 0 --goal " + d + "/start/4.png --out " + d +
             "/plan" + small_search);
  vidpred_ok("control " + d + "/run --task reach --episodes 2 --dynamics world --out " + d + "/control" +
             small_search);
  for (const char* page : {"predict", "plan", "control"}) {
    CAPTURE(page);
    const fs::path html = dir / page / "index.html";
    const test::PageCheck c = test::check_page(*test::find_chromium(), html, dir / (std::string(page) + ".png"));
    std::string problems;
    for (const auto& p : c.problems) problems += "\n  " + p;
    INFO("images " << c.images << ", broken " << c.broken_images << problems);
    CHECK(c.images > 0);
    CHECK(c.clean());
  }
}
#endif
