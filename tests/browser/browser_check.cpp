#include "tests/browser/browser_check.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#endif

#include "tests/support/temp_dir.h"

namespace vidpred::test {
namespace fs = std::filesystem;

namespace {

constexpr const char* kStatusId = "vidpred-browser-check";

// Records every failed load (resource errors reach window only while
// capturing), uncaught error and console.error; on load, counts the images
// that did not decode and writes it all into the DOM for --dump-dom.
constexpr const char* kProbe = R"(<script>
(function () {
  var problems = [];
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) problems.push('cannot load ' + t.tagName.toLowerCase() + ' ' + (t.currentSrc || t.src || t.href));
    else problems.push('script error: ' + e.message);
  }, true);
  var consoleError = console.error;
  console.error = function () {
    problems.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    consoleError.apply(console, arguments);
  };
  window.addEventListener('load', function () {
    var broken = 0;
    for (var i = 0; i < document.images.length; ++i) {
      var img = document.images[i];
      if (!img.complete || img.naturalWidth === 0) { broken++; problems.push('broken image ' + img.getAttribute('src')); }
    }
    var pre = document.createElement('pre');
    pre.id = 'vidpred-browser-check';
    pre.style.display = 'none';  // in the DOM for --dump-dom, not in the screenshot
    pre.textContent = 'images ' + document.images.length + '\nbroken ' + broken + '\n' + problems.join('\n');
    document.body.appendChild(pre);
  });
})();
</script>
)";

// The page with the probe first in <head> (or first of all, for a page without one).
std::string probed(const std::string& html) {
  const size_t head = html.find("<head>");
  const size_t at = head == std::string::npos ? 0 : head + 6;
  return html.substr(0, at) + kProbe + html.substr(at);
}

std::string shell_quoted(const fs::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Reads the probe's report out of the dumped DOM.
void read_status(const std::string& dom, PageCheck& check) {
  const size_t tag = dom.find(std::string("id=\"") + kStatusId + "\"");
  if (tag == std::string::npos) return;
  const size_t begin = dom.find('>', tag) + 1;
  std::istringstream lines(dom.substr(begin, dom.find("</pre>", begin) - begin));
  // "images N", "broken N", then one problem a line.
  std::string line;
  for (int n = 0; std::getline(lines, line); ++n) {
    if (n == 0) check.images = std::stoi(line.substr(line.find(' ')));
    if (n == 1) check.broken_images = std::stoi(line.substr(line.find(' ')));
    if (n > 1 && !line.empty()) check.problems.push_back(line);
  }
}

void read_screenshot(const fs::path& screenshot, PageCheck& check) {
  std::error_code ec;
  check.screenshot_taken = fs::is_regular_file(screenshot, ec) && fs::file_size(screenshot, ec) > 0;
#ifdef VIDPRED_HAVE_IMAGE_IO
  if (!check.screenshot_taken) return;
  cv::Mat picture = cv::imread(screenshot.string(), cv::IMREAD_GRAYSCALE);
  cv::Scalar mean, deviation;
  if (!picture.empty()) cv::meanStdDev(picture, mean, deviation);
  check.blank = picture.empty() || deviation[0] < 1.0;
#endif
}

}  // namespace

std::optional<fs::path> find_chromium() {
  if (const char* chosen = std::getenv("VIDPRED_CHROMIUM"); chosen && *chosen) return fs::path(chosen);
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      std::error_code ec;
      if (!dir.empty() && fs::is_regular_file(fs::path(dir) / name, ec)) return fs::path(dir) / name;
    }
  }
  return std::nullopt;
}

PageCheck check_page(const fs::path& chromium, const fs::path& page, const fs::path& screenshot) {
  const fs::path copy = page.parent_path() / (".browser-check-" + page.filename().string());
  {
    std::ofstream out(copy, std::ios::binary);
    out << probed(read_text(page));
  }
  TempDir profile;
  std::error_code ec;
  fs::remove(screenshot, ec);
  // Root needs --no-sandbox; a fresh profile keeps runs apart. One run both
  // dumps the DOM after the load event and takes the screenshot.
  const std::string command = shell_quoted(chromium) + " --headless --disable-gpu --no-sandbox --no-first-run" +
                              " --disable-extensions --hide-scrollbars --user-data-dir=" + shell_quoted(profile.path()) +
                              " --window-size=1200,1600 --screenshot=" + shell_quoted(screenshot) + " --dump-dom " +
                              shell_quoted(fs::path("file://" + fs::absolute(copy).string()));
  const CommandResult result = run_command(command);
  fs::remove(copy, ec);
  PageCheck check;
  check.output = result.output;
  read_status(result.output, check);
  read_screenshot(screenshot, check);
  return check;
}

}  // namespace vidpred::test
