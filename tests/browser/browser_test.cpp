// The pages in a real browser: headless Chromium opens them from disk and
// must find every picture, no script or console error, and a screenshot
// that shows something. The checker is tested on pages that break each rule.
#include <doctest/doctest.h>

#include <fstream>

#include "pipeline/core/atomic_file.h"
#include "stages/writers/html_page.h"
#include "tests/browser/browser_check.h"
#include "tests/stages/writers/report_fixture.h"
#include "tests/support/features.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;
namespace html = vidpred::stages::html;

namespace {

test::PageCheck check(const fs::path& page) {
  return test::check_page(*test::find_chromium(), page, page.parent_path() / (page.stem().string() + ".screenshot.png"));
}

std::string report(const test::PageCheck& c) {
  std::string out = "images " + std::to_string(c.images) + ", broken " + std::to_string(c.broken_images) +
                    (c.screenshot_taken ? "" : ", no screenshot") + (c.blank ? ", blank screenshot" : "");
  for (const auto& p : c.problems) out += "\n  " + p;
  return out + (c.images < 0 ? "\nbrowser output:\n" + c.output : "");
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  write_file_atomically(path, text);
}

}  // namespace

TEST_CASE("browser check: a page with a broken image fails") {
  test::TempDir dir;
  html::Page page("broken");
  page.paragraph("one picture is missing").pictures({{"missing.png", "not there"}});
  write(dir / "index.html", page.html());
  const auto c = check(dir / "index.html");
  INFO(report(c));
  CHECK(c.images == 1);
  CHECK(c.broken_images == 1);
  CHECK_FALSE(c.clean());
}

TEST_CASE("browser check: a script error and a console error fail") {
  test::TempDir dir;
  html::Page page("script");
  page.paragraph("text").raw("<script>console.error('said so'); undefinedFunction();</script>\n");
  write(dir / "index.html", page.html());
  const auto c = check(dir / "index.html");
  INFO(report(c));
  REQUIRE(c.problems.size() == 2);
  CHECK(c.problems[0].find("said so") != std::string::npos);
  CHECK(c.problems[1].find("undefinedFunction") != std::string::npos);
  CHECK_FALSE(c.clean());
}

TEST_CASE("browser check: an empty page is blank" * doctest::skip(!test::kHaveImageIo)) {
  test::TempDir dir;
  write(dir / "index.html", "<!DOCTYPE html><html><head></head><body></body></html>\n");
  const auto c = check(dir / "index.html");
  INFO(report(c));
  CHECK(c.screenshot_taken);
  CHECK(c.blank);
  CHECK_FALSE(c.clean());
}

TEST_CASE("browser: the evaluation page shows every picture, moved to another folder" *
          doctest::skip(!test::kHaveImageIo || !test::kHaveGif)) {
  test::TempDir dir;
  const fs::path run = dir / "run";
  test::write_report_run(run);
  fs::rename(run, dir / "moved");  // the page links inside the run folder only

  const auto c = check(dir / "moved/eval/index.html");
  INFO(report(c));
  CHECK(c.images == test::kReportRunImages);
  CHECK(c.clean());
}
