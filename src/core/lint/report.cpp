#include "core/lint/report.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint {

namespace {

using util::Json;

std::string_view sarif_level(Severity s) {
  switch (s) {
  case Severity::error:
    return "error";
  case Severity::warning:
    return "warning";
  case Severity::info:
    return "note";
  }
  return "error";
}

std::string_view github_command(Severity s) {
  switch (s) {
  case Severity::error:
    return "error";
  case Severity::warning:
    return "warning";
  case Severity::info:
    return "notice";
  }
  return "error";
}

// Workflow command escaping (actions/toolkit command.ts): data escapes % CR LF; properties also :
// and ,.
std::string escape_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_property(std::string_view s) {
  std::string out;
  for (char c : escape_data(s)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

// "CamelCase" rule name for SARIF's reportingDescriptor.name.
std::string camel(std::string_view id) {
  std::string out;
  bool up = true;
  for (char c : id) {
    if (c == '/' || c == '-') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string with_hint(const Finding& f) {
  return f.hint.empty() ? f.message : fmt::format("{} ({})", f.message, f.hint);
}

Json summary(const std::vector<FileReport>& reports) {
  std::size_t e = 0, w = 0, i = 0;
  for (const auto& r : reports) {
    e += r.count(Severity::error);
    w += r.count(Severity::warning);
    i += r.count(Severity::info);
  }
  Json s = Json::object();
  s["files"] = reports.size();
  s["errors"] = e;
  s["warnings"] = w;
  s["infos"] = i;
  return s;
}

} // namespace

Json report_json(const std::vector<FileReport>& reports) {
  Json files = Json::array();
  for (const auto& r : reports) {
    Json f = Json::object();
    f["path"] = r.path;
    const auto gw = gateway_of(r.shape);
    f["gateway"] = gw ? Json(gateway_name(*gw)) : Json(nullptr);
    f["shape"] = r.shape == Shape::unknown ? Json(nullptr) : Json(shape_name(r.shape));
    f["format"] =
        r.format ? Json(*r.format == SourceFormat::json ? "json" : "yaml") : Json(nullptr);
    if (!r.io_error.empty()) {
      f["error"] = r.io_error;
    }
    Json list = Json::array();
    for (const auto& x : r.findings) {
      Json j = Json::object();
      j["rule"] = rule_info(x.rule).id;
      j["severity"] = severity_name(x.severity);
      j["pointer"] = x.pointer;
      j["line"] = x.pos.line;
      j["column"] = x.pos.column;
      j["message"] = x.message;
      j["hint"] = x.hint.empty() ? Json(nullptr) : Json(x.hint);
      list.push_back(std::move(j));
    }
    f["findings"] = std::move(list);
    files.push_back(std::move(f));
  }
  Json doc = Json::object();
  doc["files"] = std::move(files);
  doc["summary"] = summary(reports);
  return doc;
}

std::string artifact_uri(std::string_view path) {
  if (path == "-") {
    return "stdin";
  }
  std::string out;
  if (!path.empty() && path[0] == '/') {
    out = "file://";
  }
  for (unsigned char c : path) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                      || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    out += keep ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out;
}

Json rules_json() {
  Json list = Json::array();
  for (const auto& r : all_rules()) {
    Json j = Json::object();
    j["id"] = r.id;
    j["severity"] = severity_name(r.severity);
    j["gateway"] = r.gateway;
    j["layer"] = layer_name(r.layer);
    j["why"] = r.why;
    j["help"] = r.help;
    list.push_back(std::move(j));
  }
  return list;
}

Json report_sarif(const std::vector<FileReport>& reports, std::string_view tool_version) {
  Json rules = Json::array();
  for (const auto& r : all_rules()) {
    Json d = Json::object();
    d["id"] = r.id;
    d["name"] = camel(r.id);
    d["shortDescription"] = {{"text", r.why}};
    d["fullDescription"] = {{"text", r.help}};
    d["help"] = {{"text", r.help},
                 {"markdown",
                  fmt::format("**{}**\n\n{}\n\nList every rule with `tollgate lint --list-rules`.",
                              r.why,
                              r.help)}};
    d["defaultConfiguration"] = {{"level", sarif_level(r.severity)}};
    d["properties"] = {
        {"tags", Json::array({std::string(r.gateway), std::string(layer_name(r.layer))})}};
    rules.push_back(std::move(d));
  }
  Json results = Json::array();
  Json notes = Json::array();
  bool success = true;
  for (std::size_t a = 0; a < reports.size(); ++a) {
    const auto& r = reports[a];
    const std::string uri = artifact_uri(r.path);
    if (!r.io_error.empty()) {
      success = false;
      notes.push_back(
          {{"level", "error"},
           {"message", {{"text", r.io_error}}},
           {"locations",
            Json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", uri}}}}}}})}});
    }
    for (const auto& f : r.findings) {
      Json res = Json::object();
      res["ruleId"] = rule_info(f.rule).id;
      res["ruleIndex"] = static_cast<std::size_t>(f.rule);
      res["level"] = sarif_level(f.severity);
      res["message"] = {{"text", with_hint(f)}};
      Json region = {{"startLine", f.pos.line}, {"startColumn", f.pos.column_utf16}};
      if (!f.line_text.empty()) {
        region["snippet"] = {{"text", f.line_text}};
      }
      res["locations"] =
          Json::array({{{"physicalLocation",
                         {{"artifactLocation", {{"uri", uri}}}, {"region", std::move(region)}}}}});
      res["properties"] = {{"pointer", f.pointer}};
      results.push_back(std::move(res));
    }
  }
  Json driver = Json::object();
  driver["name"] = "tollgate";
  driver["fullName"] = "tollgate lint";
  driver["version"] = tool_version;
  driver["semanticVersion"] = tool_version;
  driver["rules"] = std::move(rules);
  Json invocation = {{"executionSuccessful", success}};
  if (!notes.empty()) {
    invocation["toolExecutionNotifications"] = std::move(notes);
  }
  Json run = Json::object();
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] = Json::array({std::move(invocation)});
  run["columnKind"] = "utf16CodeUnits";
  run["results"] = std::move(results);
  Json doc = Json::object();
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = Json::array({std::move(run)});
  return doc;
}

std::string report_github(const std::vector<FileReport>& reports) {
  std::string out;
  for (const auto& r : reports) {
    const std::string file = escape_property(r.path);
    if (!r.io_error.empty()) {
      out +=
          fmt::format("::error file={},title=tollgate lint::{}\n", file, escape_data(r.io_error));
    }
    for (const auto& f : r.findings) {
      out += fmt::format("::{} file={},line={},col={},title={}::{}\n",
                         github_command(f.severity),
                         file,
                         f.pos.line,
                         f.pos.column,
                         escape_property(rule_info(f.rule).id),
                         escape_data(with_hint(f)));
    }
  }
  return out;
}

} // namespace tollgate::core::lint
