#pragma once
// HTML pages of results, built from a few blocks: one self-contained file
// (inline CSS, no script, no network) that links only pictures beside it by
// relative paths, so that the folder it sits in can be moved or shared whole.
// Torch- and OpenCV-free: any command can write its page with it.
//
//   html::Page page("synthetic-small: evaluation");
//   page.facts({{"checkpoint", "best.pt"}, {"split", "test"}});
//   page.section("Metrics").table({{"metric", "model", "copy_last"}, {{"psnr", "26.9", "23.1"}}});
//   page.section("Sequences").row({{"page/seq_0.gif", "sequence 0"}}, metrics_table);
//   write_file_atomically(dir / "index.html", page.html());
//
// Every text argument is plain text (escaped here); only `Page::raw` takes HTML.
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vidpred::stages::html {

// Text made safe inside an element or a quoted attribute (& < > " ').
std::string escape(std::string_view text);

// The relative URL of `target` as seen from a page in `page_dir`: '/'
// separated, with every byte outside [A-Za-z0-9-._~/] percent-encoded, so that
// names with spaces or '#' still load. Both paths are made absolute (against
// the working folder), then compared lexically.
std::string relative_url(const std::filesystem::path& target, const std::filesystem::path& page_dir);

// A table of text cells; the first row of `header` is bold. `numeric` columns
// (by index) are right-aligned, so that figures line up.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> numeric;
  std::string caption;  // optional, under the table
};

// A picture and its caption. `url` is relative to the page (relative_url);
// `pixelated` enlarges small frames without blurring them.
struct Picture {
  std::string url;
  std::string caption;
  bool pixelated = false;
  int width = 0;  // CSS pixels; 0: the picture's own width
};

class Page {
 public:
  explicit Page(std::string title);

  // A heading; blocks after it belong to it. Returns *this to chain.
  Page& section(std::string_view title);
  Page& paragraph(std::string_view text);
  // Name/value rows, e.g. the run, its checkpoint and when the page was made.
  Page& facts(const std::vector<std::pair<std::string, std::string>>& rows);
  Page& table(const Table& table);
  // Pictures side by side, wrapping when the window is narrow.
  Page& pictures(const std::vector<Picture>& pictures);
  // One result row: pictures, then a table beside them (a sequence's GIF
  // and its scores), under a small heading.
  Page& row(std::string_view heading, const std::vector<Picture>& pictures, const Table& beside);
  // Long text shown folded (a config file), in a monospaced block.
  Page& folded(std::string_view summary, std::string_view text);
  // Blocks laid side by side, each built by its own Page's blocks (plans
  // with their actions); only the blocks of each are used, not its title.
  Page& columns(const std::vector<Page>& columns);
  // HTML made elsewhere, inserted as is.
  Page& raw(std::string html);

  // The whole document.
  std::string html() const;

 private:
  std::string title_;
  std::string body_;
};

// Today's local date and time, "2025-01-31 14:05", for a page's "made" fact.
std::string local_time_now();

}  // namespace vidpred::stages::html
