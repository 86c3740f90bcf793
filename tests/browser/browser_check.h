#pragma once
// Loads an HTML page from disk in headless Chromium, as a person opening the
// file would, and reports what went wrong: pictures that did not load, script
// errors and console errors, and whether the screenshot shows anything.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vidpred::test {

// The browser: $VIDPRED_CHROMIUM, else `chromium` or `chromium-browser` on
// PATH; none where the machine has no Chromium (the tests are then skipped).
std::optional<std::filesystem::path> find_chromium();

struct PageCheck {
  int images = -1;                    // <img> elements on the page; -1: the page never finished loading
  int broken_images = 0;              // of them, those that did not load (naturalWidth 0)
  std::vector<std::string> problems;  // failed loads, uncaught script errors, console.error calls
  bool screenshot_taken = false;
  bool blank = false;                 // the screenshot has one colour (checked where OpenCV reads PNGs)
  std::string output;                 // the browser's own output, for failure messages

  bool clean() const { return images >= 0 && broken_images == 0 && problems.empty() && screenshot_taken && !blank; }
};

// Opens `page` once in `chromium` at 1200 x 1600 and keeps the screenshot at
// `screenshot`. A probe script goes in a copy of the page beside it (so that
// relative links resolve as they do for the page), registered before any of
// the page's own scripts run; the copy is removed afterwards.
PageCheck check_page(const std::filesystem::path& chromium, const std::filesystem::path& page,
                     const std::filesystem::path& screenshot);

}  // namespace vidpred::test
