#pragma once

#include "cli/render.hpp"

#include <string>
#include <vector>

namespace tollgate::cli {

// A plain text table: a bold header row, columns separated by two spaces, each as wide as its
// widest cell. Cells are never shortened (kids and thumbprints must stay copyable); a table wider
// than the terminal simply wraps there. Trailing empty columns are not padded.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const Style& style);

// "name  value" lines with the names padded to one width.
std::string render_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                         const Style& style);

} // namespace tollgate::cli
