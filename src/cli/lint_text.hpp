#pragma once

#include "cli/render.hpp"
#include "core/lint/lint.hpp"

#include <string>
#include <vector>

namespace tollgate::cli {

// "file:line:col: severity: message [rule]" per finding, with a caret snippet under it when
// `snippets` (stdout is a terminal), a hint line, and a summary line.
std::string
render_lint_text(const std::vector<core::lint::FileReport>& reports, const Style& s, bool snippets);

// The --list-rules table: id, severity, gateway and the one-line why.
std::string render_rule_list(const Style& s);

} // namespace tollgate::cli
