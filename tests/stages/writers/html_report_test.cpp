// The page builder and the html_report writer, read back as text: every
// picture the page names exists, relative to the page, inside the run folder.
// (tests/browser opens the same page in Chromium.)
#include <doctest/doctest.h>

#include <regex>

#include "stages/writers/html_page.h"
#include "tests/stages/writers/report_fixture.h"
#include "tests/support/features.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;
namespace html = vidpred::stages::html;

namespace {

std::vector<std::string> sources(const std::string& page) {
  std::vector<std::string> out;
  const std::regex src("src=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), src); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

int gif_width(const fs::path& gif) {
  const std::string bytes = test::read_text(gif);
  REQUIRE(bytes.size() > 10);
  return int(uint8_t(bytes[6])) | int(uint8_t(bytes[7])) << 8;
}

}  // namespace

TEST_CASE("html page: text is escaped and links are relative, percent-encoded URLs") {
  CHECK(html::escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  CHECK(html::relative_url("/r/plots/train loss#1.png", "/r/eval") == "../plots/train%20loss%231.png");
  CHECK(html::relative_url("/r/eval/./index_files/seq_1.gif", "/r/eval/") == "index_files/seq_1.gif");
  // A page folder given relative to the working folder, a target given absolute (eval's case).
  CHECK(html::relative_url(fs::current_path() / "r/plots/a.png", "r/eval") == "../plots/a.png");

  html::Page page("<title>");
  page.section("S").table({{"a", "b"}, {{"x", "1.5"}}, {1}, "cap"});
  const std::string text = page.html();
  CHECK(text.find("<h1>&lt;title&gt;</h1>") != std::string::npos);
  CHECK(text.find("<td class=\"num\">1.5</td>") != std::string::npos);
  CHECK(text.find("http") == std::string::npos);  // nothing from the network
}

TEST_CASE("html_report: eval/index.html with a row per sequence, every picture its own or the run's" *
          doctest::skip(!test::kHaveImageIo || !test::kHaveGif)) {
  test::TempDir dir;
  const fs::path run = dir / "run";
  test::write_report_run(run);
  const fs::path eval = run / "eval";
  const std::string page = test::read_text(eval / "index.html");
  CHECK(test::partial_files(dir.path()).empty());

  const std::vector<std::string> pictures = sources(page);
  CHECK(int(pictures.size()) == test::kReportRunImages);
  for (const auto& url : pictures) {
    INFO(url);
    CHECK(fs::path(url).is_relative());
    CHECK(fs::is_regular_file(eval / url));
    CHECK(fs::weakly_canonical(eval / url).string().rfind(fs::weakly_canonical(run).string(), 0) == 0);
  }
  CHECK(pictures == std::vector<std::string>{"index_files/psnr_per_step.png", "index_files/seq_5.gif",
                                             "index_files/seq_9.gif", "../plots/train_loss.png"});
  CHECK_FALSE(fs::exists(eval / "index_files/seq_11.gif"));  // only the first `sequences`

  // Truth, two samples and the baseline side by side, 64 pixels each at scale 2.
  CHECK(gif_width(eval / "index_files/seq_5.gif") == 4 * 64 * 2);
  // The metrics table puts the model first; each row its sequence's means.
  CHECK(page.find("model best") < page.find(">copy_last<"));
  CHECK(page.find("27.5000") != std::string::npos);
  CHECK(page.find(">28.5<") != std::string::npos);  // the best sample's psnr 30..27
  CHECK(page.find(">18.5<") != std::string::npos);  // copy_last's 20..17
  CHECK(page.find("best.pt") != std::string::npos);
  CHECK(page.find("&lt;tiny&gt; &amp;") != std::string::npos);  // the config, escaped
}

TEST_CASE("html_report: training writes no page" * doctest::skip(!test::kHaveImageIo || !test::kHaveGif)) {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'html_report'");
  writer->begin({dir.path(), "train", dir.path(), {}});
  writer->epoch(1, {{"loss", 1.0}});
  writer->end({test::report_figure("train_loss", "loss")}, {{"loss", 1.0}});
  CHECK(writer->files().empty());
}
