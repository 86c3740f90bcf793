#include "stages/writers/html_page.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/format.h>

namespace vidpred::stages::html {
namespace fs = std::filesystem;

namespace {

// Inline, so that the page needs nothing but itself and its pictures.
constexpr const char* kStyle = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2327; background: #f4f5f7;
       margin: 0; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d7dbe0; }
h3 { font-size: 15px; margin: 0 0 6px; color: #3c4650; }
p { max-width: 70em; }
table { border-collapse: collapse; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.12); margin: 4px 0 8px; }
th, td { padding: 4px 12px; border-bottom: 1px solid #e4e7eb; text-align: left; vertical-align: top; }
th { background: #e9edf2; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { background: none; color: #5b6670; font-weight: normal; }
caption { caption-side: bottom; color: #5b6670; font-size: 13px; text-align: left; padding-top: 4px; }
.pictures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; background: #fff; padding: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
figure img { display: block; max-width: 100%; }
figcaption { color: #5b6670; font-size: 13px; margin-top: 4px; }
img.pixelated { image-rendering: pixelated; image-rendering: crisp-edges; }
.row { display: flex; gap: 16px; align-items: center; margin: 0 0 18px; padding: 12px;
       background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
.row figure { box-shadow: none; padding: 0; }
.row > div:first-child { flex: none; }   /* the GIFs keep their size; the table beside them gives way */
.row img { max-width: none; }
.columns { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.columns > div { flex: 1 1 280px; min-width: 0; }
details { margin: 8px 0; }
pre { background: #fff; padding: 12px; overflow: auto; font-size: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
)";

bool url_safe(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

std::string cells(const std::vector<std::string>& row, const char* tag, const std::vector<size_t>& numeric) {
  std::string out = "<tr>";
  for (size_t i = 0; i < row.size(); ++i) {
    const bool right = std::find(numeric.begin(), numeric.end(), i) != numeric.end();
    out += fmt::format("<{0}{1}>{2}</{0}>", tag, right ? " class=\"num\"" : "", escape(row[i]));
  }
  return out + "</tr>\n";
}

std::string figure(const Picture& p) {
  const std::string width = p.width > 0 ? fmt::format(" width=\"{}\"", p.width) : "";
  return fmt::format("<figure><img src=\"{}\" alt=\"{}\"{}{}><figcaption>{}</figcaption></figure>\n", escape(p.url),
                     escape(p.caption), width, p.pixelated ? " class=\"pixelated\"" : "", escape(p.caption));
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string relative_url(const fs::path& target, const fs::path& page_dir) {
  // Absolute first: a relative page folder (runs/x/eval) and an absolute
  // target (the run's plots) have no lexical relation.
  const fs::path relative = fs::absolute(target).lexically_normal().lexically_relative(fs::absolute(page_dir).lexically_normal());
  const std::string path = relative.generic_string();
  std::string out;
  for (unsigned char c : path) out += url_safe(c) ? std::string(1, char(c)) : fmt::format("%{:02X}", c);
  return out;
}

Page::Page(std::string title) : title_(std::move(title)) {}

Page& Page::section(std::string_view title) { return raw(fmt::format("<h2>{}</h2>\n", escape(title))); }

Page& Page::paragraph(std::string_view text) { return raw(fmt::format("<p>{}</p>\n", escape(text))); }

Page& Page::facts(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string out = "<table class=\"facts\">\n";
  for (const auto& [name, value] : rows) out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", escape(name), escape(value));
  return raw(out + "</table>\n");
}

Page& Page::table(const Table& table) {
  std::string out = "<table>\n";
  if (!table.caption.empty()) out += fmt::format("<caption>{}</caption>\n", escape(table.caption));
  if (!table.header.empty()) out += cells(table.header, "th", {});
  for (const auto& row : table.rows) out += cells(row, "td", table.numeric);
  return raw(out + "</table>\n");
}

Page& Page::pictures(const std::vector<Picture>& pictures) {
  std::string out = "<div class=\"pictures\">\n";
  for (const auto& p : pictures) out += figure(p);
  return raw(out + "</div>\n");
}

Page& Page::row(std::string_view heading, const std::vector<Picture>& pictures, const Table& beside) {
  Page inner("");
  inner.table(beside);
  std::string out = fmt::format("<div class=\"row\"><div><h3>{}</h3>\n", escape(heading));
  for (const auto& p : pictures) out += figure(p);
  return raw(out + "</div><div>" + inner.body_ + "</div></div>\n");
}

Page& Page::folded(std::string_view summary, std::string_view text) {
  return raw(fmt::format("<details><summary>{}</summary><pre>{}</pre></details>\n", escape(summary), escape(text)));
}

Page& Page::columns(const std::vector<Page>& columns) {
  std::string out = "<div class=\"columns\">\n";
  for (const auto& c : columns) out += "<div>\n" + c.body_ + "</div>\n";
  return raw(out + "</div>\n");
}

Page& Page::raw(std::string html) {
  body_ += html;
  return *this;
}

std::string Page::html() const {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{0}</title>\n"
      "<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{2}</body>\n</html>\n",
      escape(title_), kStyle, body_);
}

std::string local_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
  return text;
}

}  // namespace vidpred::stages::html
