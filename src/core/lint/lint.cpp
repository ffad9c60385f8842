#include "core/lint/lint.hpp"

#include "core/lint/context.hpp"
#include "core/lint/detect.hpp"
#include "core/lint/online.hpp"
#include "core/lint/suppress.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::lint {

std::string_view shape_name(Shape s) {
  switch (s) {
  case Shape::unknown:
    return "unknown";
  case Shape::krakend:
    return "krakend";
  case Shape::apisix_route:
    return "apisix-route";
  case Shape::apisix_service:
    return "apisix-service";
  case Shape::apisix_plugin_config:
    return "apisix-plugin-config";
  case Shape::apisix_standalone:
    return "apisix-standalone";
  case Shape::apisix_config:
    return "apisix-config";
  case Shape::adc:
    return "adc";
  }
  return "unknown";
}

std::string_view gateway_name(Gateway g) {
  switch (g) {
  case Gateway::krakend:
    return "krakend";
  case Gateway::apisix:
    return "apisix";
  case Gateway::adc:
    return "adc";
  }
  return "krakend";
}

std::optional<Gateway> gateway_of(Shape s) {
  switch (s) {
  case Shape::unknown:
    return std::nullopt;
  case Shape::krakend:
    return Gateway::krakend;
  case Shape::adc:
    return Gateway::adc;
  default:
    return Gateway::apisix;
  }
}

std::size_t FileReport::count(Severity s) const {
  return static_cast<std::size_t>(std::count_if(
      findings.begin(), findings.end(), [s](const Finding& f) { return f.severity == s; }));
}

void Context::emit(
    Rule r, std::string pointer, std::uint32_t offset, std::string message, std::string hint) {
  if (!on(r)) {
    return;
  }
  Finding f;
  f.rule = r;
  f.severity = rule_info(r).severity;
  f.pointer = std::move(pointer);
  f.offset = offset;
  f.pos = m_doc.position(offset);
  f.message = std::move(message);
  f.hint = std::move(hint);
  f.line_text = std::string(m_doc.line_text(f.pos.line));
  m_report.findings.push_back(std::move(f));
}

void Context::at_key(Rule r,
                     const std::string& object_pointer,
                     const Member& m,
                     std::string message,
                     std::string hint) {
  emit(r,
       pointer_join(object_pointer, m.key_view()),
       m.key_offset,
       std::move(message),
       std::move(hint));
}

std::string did_you_mean(const std::string& candidate) {
  return candidate.empty() ? std::string() : fmt::format("did you mean \"{}\"?", candidate);
}

namespace {

void generic_rules(Context& cx) {
  const Document& doc = cx.doc();
  if (doc.format() == SourceFormat::json && doc.has_bom()) {
    cx.emit(Rule::json_byte_order_mark,
            "",
            0,
            "the file starts with a UTF-8 byte order mark: KrakenD's Go JSON decoder rejects it "
            "(\"invalid character "
            "'ï' looking for beginning of value\")",
            "save the file as UTF-8 without BOM");
  }
  for (const auto& d : doc.duplicates()) {
    const Member& first = doc.member_list()[d.first];
    const Member& later = doc.member_list()[d.later];
    const Position p = doc.position(first.key_offset);
    cx.emit(Rule::duplicate_key,
            pointer_join(doc.pointer_of(d.object), later.key_view()),
            later.key_offset,
            fmt::format("key {} appears twice in this object (first at line {} column {}): the "
                        "later value wins and "
                        "the earlier one is ignored",
                        util::quote(later.key_view(), 60),
                        p.line,
                        p.column),
            "remove one of them");
  }
}

void parse_failure(FileReport& rep,
                   const Document& doc,
                   const ParseError& err,
                   const LintOptions& opts) {
  rep.unreadable = true;
  Context cx(doc, rep, opts);
  const auto tmpl = find_template_action(doc.text());
  if (tmpl && doc.format() == SourceFormat::json
      && opts.gateway.value_or(Gateway::krakend) == Gateway::krakend) {
    cx.emit(
        Rule::krakend_flexible_config_template,
        "",
        *tmpl,
        "this is a KrakenD flexible-configuration template (Go template actions like {{ "
        ".settings.x }}), not "
        "JSON: render it first, then lint the rendered file",
        fmt::format(
            "FC_ENABLE=1 FC_OUT=out.json krakend check -c {} (add FC_SETTINGS, FC_TEMPLATES and "
            "FC_PARTIALS as you run KrakenD), then: tollgate lint out.json",
            rep.path == "-" ? std::string("FILE") : rep.path));
  } else {
    cx.emit(Rule::syntax_error,
            "",
            err.offset,
            fmt::format("not valid {}: {}",
                        doc.format() == SourceFormat::json ? "JSON" : "YAML",
                        err.message),
            tmpl ? "the file contains {{ ... }} template actions: render the template first and "
                   "lint the result"
                 : "");
  }
  if (rep.findings.empty()) {
    // The rule was disabled; an unreadable file must still say why.
    Finding f;
    f.rule = Rule::syntax_error;
    f.pos = doc.position(err.offset);
    f.offset = err.offset;
    f.message = err.message;
    rep.findings.push_back(std::move(f));
  }
}

} // namespace

FileReport lint_text(std::string path, std::string text, const LintOptions& opts) {
  FileReport rep;
  rep.path = std::move(path);
  const SourceFormat format = guess_format(rep.path, text);
  rep.format = format;
  ParseOutcome parsed =
      format == SourceFormat::json ? parse_json(std::move(text)) : parse_yaml(std::move(text));
  const Document& doc = *parsed.doc;
  if (parsed.error) {
    parse_failure(rep, doc, *parsed.error, opts);
    return rep;
  }
  rep.shape = detect_shape(doc.root(), format, doc.text(), opts.gateway);
  Context cx(doc, rep, opts);
  if (rep.shape == Shape::unknown) {
    rep.unreadable = true;
    LintOptions forced = opts;
    forced.rules.set(Rule::unknown_gateway, true);
    Context always(doc, rep, forced);
    always.emit(Rule::unknown_gateway, "", doc.root().offset(), unknown_shape_message(doc.root()));
    return rep;
  }
  generic_rules(cx);
  if (rep.shape == Shape::krakend) {
    lint_krakend(cx);
  } else {
    lint_apisix(cx);
  }
  if (opts.probe != nullptr) {
    lint_online(cx, *opts.probe);
  }
  apply_suppressions(doc, rep, opts);
  normalise(rep);
  return rep;
}

void normalise(FileReport& report) {
  auto& f = report.findings;
  std::stable_sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.rule < b.rule;
  });
  f.erase(std::unique(f.begin(),
                      f.end(),
                      [](const Finding& a, const Finding& b) {
                        return a.rule == b.rule && a.offset == b.offset && a.message == b.message;
                      }),
          f.end());
}

Verdict verdict(const std::vector<FileReport>& reports, bool strict) {
  bool negative = false;
  for (const auto& r : reports) {
    if (r.unreadable || !r.io_error.empty()) {
      return Verdict::unreadable;
    }
    negative =
        negative || r.count(Severity::error) > 0 || (strict && r.count(Severity::warning) > 0);
  }
  return negative ? Verdict::negative : Verdict::ok;
}

} // namespace tollgate::core::lint
