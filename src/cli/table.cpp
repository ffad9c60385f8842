#include "cli/table.hpp"

#include <algorithm>

namespace tollgate::cli {
namespace {

// Display width: count UTF-8 code points, not bytes (subjects may hold non-ASCII names).
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// Cells often hold what an IdP sent (names, URIs, subjects): control characters, escape
// sequences among them, are shown as '?' so that they cannot drive the terminal.
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& ch : out) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      ch = '?';
    }
  }
  return out;
}

} // namespace

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& raw_rows,
                         const Style& style) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const auto& r : raw_rows) {
    std::vector<std::string> cells;
    cells.reserve(r.size());
    for (const auto& c : r) {
      cells.push_back(printable(c));
    }
    rows.push_back(std::move(cells));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) {
    widths[i] = width_of(header[i]);
  }
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], width_of(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool bold) {
    std::string out;
    std::size_t last = cells.size();
    while (last > 0 && cells[last - 1].empty()) {
      --last;
    }
    for (std::size_t i = 0; i < last && i < widths.size(); ++i) {
      std::string cell = cells[i];
      if (i + 1 < last) {
        cell += std::string(widths[i] - width_of(cells[i]) + 2, ' ');
      }
      out += bold ? style.bold(cell) : cell;
    }
    return out + "\n";
  };
  std::string out = line(header, true);
  for (const auto& row : rows) {
    out += line(row, false);
  }
  return out;
}

std::string render_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                         const Style& style) {
  std::size_t w = 0;
  for (const auto& [k, v] : pairs) {
    w = std::max(w, width_of(k));
  }
  std::string out;
  for (const auto& [k, v] : pairs) {
    out += style.bold(k) + std::string(w - width_of(k) + 2, ' ') + v + "\n";
  }
  return out;
}

} // namespace tollgate::cli
