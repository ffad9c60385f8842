#include "cli/lint_text.hpp"

#include <fmt/format.h>

namespace tollgate::cli {

namespace {

using core::lint::Finding;
using core::lint::Severity;

std::string severity_label(Severity sev, const Style& s) {
  switch (sev) {
  case Severity::error:
    return s.red("error");
  case Severity::warning:
    return s.yellow("warning");
  case Severity::info:
    return s.cyan("info");
  }
  return "error";
}

// The source line and a caret under the finding's column. Tabs are repeated in the caret's
// indentation so that it lines up; a long line is cut to a window around the column.
std::string snippet(const Finding& f, const Style& s) {
  std::string_view line = f.line_text;
  std::size_t col = f.pos.column - 1;
  if (col > line.size()) {
    col = line.size();
  }
  std::string lead;
  std::string tail;
  if (line.size() > 160) {
    const std::size_t start = col > 60 ? col - 60 : 0;
    const std::size_t len = std::min<std::size_t>(140, line.size() - start);
    lead = start > 0 ? "..." : "";
    tail = start + len < line.size() ? "..." : "";
    line = line.substr(start, len);
    col -= start;
  }
  std::string pad(lead.size(), ' ');
  for (std::size_t i = 0; i < col && i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == '\t') {
      pad += '\t';
    } else if ((c & 0xC0) != 0x80) {
      pad += ' ';
    }
  }
  const std::string num = std::to_string(f.pos.line);
  const std::string gutter(num.size(), ' ');
  return fmt::format(" {} {} {}{}{}\n {} {} {}{}\n",
                     s.dim(num),
                     s.dim("|"),
                     lead,
                     line,
                     tail,
                     gutter,
                     s.dim("|"),
                     pad,
                     s.green("^"));
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

} // namespace

std::string render_lint_text(const std::vector<core::lint::FileReport>& reports,
                             const Style& s,
                             bool snippets) {
  std::string out;
  std::size_t errors = 0, warnings = 0, infos = 0;
  for (const auto& r : reports) {
    for (const auto& f : r.findings) {
      out += fmt::format("{}:{}:{}: {}: {} {}\n",
                         s.bold(r.path),
                         f.pos.line,
                         f.pos.column,
                         severity_label(f.severity, s),
                         f.message,
                         s.dim(fmt::format("[{}]", core::lint::rule_info(f.rule).id)));
      if (snippets && !f.line_text.empty()) {
        out += snippet(f, s);
      }
      if (!f.hint.empty()) {
        out += fmt::format("  {} {}\n", s.cyan("hint:"), f.hint);
      }
    }
    errors += r.count(Severity::error);
    warnings += r.count(Severity::warning);
    infos += r.count(Severity::info);
  }
  if (errors + warnings + infos == 0) {
    out += fmt::format("{}: no findings\n", plural(reports.size(), "file"));
  } else {
    out += fmt::format("{}: {}, {}, {}\n",
                       plural(reports.size(), "file"),
                       plural(errors, "error"),
                       plural(warnings, "warning"),
                       plural(infos, "info"));
  }
  return out;
}

std::string render_rule_list(const Style& s) {
  std::size_t width = 0;
  for (const auto& r : core::lint::all_rules()) {
    width = std::max(width, r.id.size());
  }
  std::string out;
  for (const auto& r : core::lint::all_rules()) {
    const std::string sev(core::lint::severity_name(r.severity));
    const std::string id = fmt::format("{:<{}}", r.id, width);
    const std::string sev_cell = fmt::format("{:<8}", sev);
    out += fmt::format("{}  {}  {:<7}  {}\n",
                       s.bold(id),
                       severity_label(r.severity, s) + sev_cell.substr(sev.size()),
                       r.gateway,
                       r.why);
  }
  return out;
}

} // namespace tollgate::cli
