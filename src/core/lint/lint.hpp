#pragma once

// tollgate lint's entry points: lint one file's text (parse, detect the gateway, run the rules,
// apply suppressions) and cross-check a set of files. Never prints; the CLI renders the reports.

#include "core/lint/document.hpp"
#include "core/lint/rules.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tollgate::core::lint {

class LintOnlineProbe;

// Which config a file is. `gateway` is what the user sees ("krakend", "apisix", "adc").
enum class Shape {
  unknown,
  krakend,              // KrakenD v3 config
  apisix_route,         // Admin API route body
  apisix_service,       // Admin API service body
  apisix_plugin_config, // Admin API plugin_config (or global_rule) body
  apisix_standalone,    // conf/apisix.yaml or conf/apisix.json
  apisix_config,        // conf/config.yaml (node configuration)
  adc,                  // ADC declarative file
};
enum class Gateway { krakend, apisix, adc };
std::string_view shape_name(Shape s);
std::string_view gateway_name(Gateway g);
std::optional<Gateway> gateway_of(Shape s);

struct Finding {
  Rule rule = Rule::syntax_error;
  Severity severity = Severity::error;
  std::string pointer; // RFC 6901, over the YAML tree for YAML; "" for the whole file
  std::uint32_t offset = 0;
  Position pos;
  std::string message;
  std::string hint;      // e.g. "did you mean \"jwk_url\"?"; empty when none
  std::string line_text; // the source line, for caret snippets
};

struct FileReport {
  std::string path; // as given; "-" for stdin
  Shape shape = Shape::unknown;
  std::optional<SourceFormat> format;
  std::vector<Finding> findings;
  bool unreadable = false; // parse failure, template or unknown shape: exit 2
  std::string io_error;    // the file could not be read at all (set by the caller)
  // Facts for cross-file rules (filled while linting).
  bool uses_authz_keycloak = false;
  bool has_plugins_list = false; // config.yaml: a custom `plugins:` list
  bool plugins_list_has_authz_keycloak = false;
  std::optional<std::uint32_t> plugins_list_offset;
  Position plugins_list_pos;
  std::string plugins_list_line;
  std::size_t online_failures = 0; // probe calls that failed (network or IdP)

  std::size_t count(Severity s) const;
};

struct LintOptions {
  std::optional<Gateway> gateway; // --gateway; detection otherwise
  RuleSet rules;
  LintOnlineProbe* probe = nullptr; // online rules run only with a probe
};

// Lint one file. `path` is used for messages and for the format (".json" is JSON, ".yaml"/".yml"
// is YAML, otherwise the first character decides). Bad input is reported as findings, never as a
// crash: a file that cannot be parsed or recognised gets one error finding and `unreadable`.
FileReport lint_text(std::string path, std::string text, const LintOptions& opts);

// Rules that look at several files at once (an APISIX config.yaml next to route files).
void cross_check(std::vector<FileReport>& reports, const LintOptions& opts);

// Sort findings by position and drop exact duplicates (aliases can report one node twice).
void normalise(FileReport& report);

// The outcome of a run: `unreadable` if any file could not be read, parsed or recognised, else
// `negative` if any error (or, with `strict`, any warning), else `ok`. Infos never count.
enum class Verdict { ok, negative, unreadable };
Verdict verdict(const std::vector<FileReport>& reports, bool strict);

} // namespace tollgate::core::lint
