#pragma once

// Machine-readable renderings of lint reports. The human text view lives in the CLI (it needs
// terminal styling); these produce documents and strings and print nothing.

#include "core/lint/lint.hpp"
#include "core/util/json.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::lint {

// {"files":[{"path","gateway","shape","format","findings":[{"rule","severity","pointer","line",
// "column","message","hint"}]}],"summary":{"files","errors","warnings","infos"}}. A file that could
// not be read has "error" and no findings.
util::Json report_json(const std::vector<FileReport>& reports);

// SARIF 2.1.0 with every rule (description and help) and one result per finding; columns are
// UTF-16 code units as SARIF's default columnKind says. Files that could not be read are
// toolExecutionNotifications.
util::Json report_sarif(const std::vector<FileReport>& reports, std::string_view tool_version);

// GitHub Actions workflow commands, one line per finding: "::error
// file=F,line=L,col=C,title=RULE::msg".
std::string report_github(const std::vector<FileReport>& reports);

// Every rule as JSON: [{"id","severity","gateway","layer","why","help"}].
util::Json rules_json();

// A SARIF artifact URI for a path as given on the command line: relative paths stay relative
// (percent-encoded), absolute ones become file:// URIs, "-" becomes "stdin".
std::string artifact_uri(std::string_view path);

} // namespace tollgate::core::lint
