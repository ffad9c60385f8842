#include "core/lint/suppress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::lint {

namespace {

constexpr std::string_view kMarker = "tollgate-lint:";
constexpr std::string_view kKey = "@tollgate-lint";

struct Directive {
  std::vector<Rule> rules;
  bool whole_file = false;
  std::uint32_t line = 0; // the line it applies to (1-based); 0 with whole_file
  std::string pointer;    // key directives: the object they apply to
  bool by_pointer = false;
};

bool blank(char c) {
  return c == ' ' || c == '\t' || c == ',';
}

// Parse "disable a, b -- why" / "disable-file a". `at` is the byte offset of `spec` in the file.
bool parse_spec(std::string_view spec,
                std::uint32_t at,
                Directive& d,
                std::vector<std::pair<std::string, std::uint32_t>>& unknown) {
  std::size_t i = 0;
  while (i < spec.size() && blank(spec[i])) {
    ++i;
  }
  std::size_t word_end = i;
  while (word_end < spec.size() && !blank(spec[word_end])) {
    ++word_end;
  }
  const std::string_view verb = spec.substr(i, word_end - i);
  if (verb != "disable" && verb != "disable-file") {
    return false;
  }
  d.whole_file = verb == "disable-file";
  i = word_end;
  while (i < spec.size()) {
    while (i < spec.size() && blank(spec[i])) {
      ++i;
    }
    if (i >= spec.size() || spec.substr(i).starts_with("--")) {
      break;
    }
    std::size_t end = i;
    while (end < spec.size() && !blank(spec[end])) {
      ++end;
    }
    const std::string_view name = spec.substr(i, end - i);
    auto rules = match_rules(name);
    if (rules.empty()) {
      unknown.emplace_back(std::string(name), at + static_cast<std::uint32_t>(i));
    }
    d.rules.insert(d.rules.end(), rules.begin(), rules.end());
    i = end;
  }
  return true;
}

// "# tollgate-lint: ..." comments, line by line.
void comment_directives(const Document& doc,
                        std::vector<Directive>& out,
                        std::vector<std::pair<std::string, std::uint32_t>>& unknown) {
  const std::string_view text = doc.text();
  if (text.find(kMarker) == std::string_view::npos) {
    return;
  }
  const std::size_t lines = doc.line_count();
  std::vector<std::uint32_t> pending; // indices of own-line directives waiting for a content line
  for (std::uint32_t ln = 1; ln <= lines; ++ln) {
    const std::string_view line = doc.line_text(ln);
    const auto first = line.find_first_not_of(" \t");
    const bool empty = first == std::string_view::npos;
    const auto marker = line.find(kMarker);
    std::size_t hash =
        marker == std::string_view::npos ? std::string_view::npos : line.rfind('#', marker);
    if (hash != std::string_view::npos
        && line.substr(hash + 1, marker - hash - 1).find_first_not_of(" \t")
               != std::string_view::npos) {
      hash = std::string_view::npos; // something other than spaces between '#' and the marker
    }
    const bool comment_only = !empty && line[first] == '#';
    if (hash != std::string_view::npos) {
      Directive d;
      const std::uint32_t line_offset = static_cast<std::uint32_t>(line.data() - text.data());
      const std::size_t spec_at = marker + kMarker.size();
      if (parse_spec(line.substr(spec_at),
                     line_offset + static_cast<std::uint32_t>(spec_at),
                     d,
                     unknown)) {
        if (d.whole_file) {
          out.push_back(std::move(d));
        } else if (hash == first) {
          out.push_back(std::move(d));
          pending.push_back(static_cast<std::uint32_t>(out.size() - 1));
        } else {
          d.line = ln;
          out.push_back(std::move(d));
        }
        continue;
      }
    }
    if (!empty && !comment_only) {
      for (auto idx : pending) {
        out[idx].line = ln;
      }
      pending.clear();
    }
  }
}

void key_directives(const Document& doc,
                    std::vector<Directive>& out,
                    std::vector<std::pair<std::string, std::uint32_t>>& unknown) {
  bool any = false;
  for (const Member& m : doc.member_list()) {
    any = any || m.key_view() == kKey;
  }
  if (!any) {
    return;
  }
  const auto& nodes = doc.node_list();
  const auto& members = doc.member_list();
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    if (nodes[n].kind != NodeKind::object) {
      continue;
    }
    for (std::uint32_t k = nodes[n].a; k < nodes[n].a + nodes[n].b; ++k) {
      if (members[k].key_view() != kKey) {
        continue;
      }
      const Value v(&doc, members[k].value);
      std::vector<Value> specs;
      if (v.is_string()) {
        specs.push_back(v);
      }
      for (std::size_t i = 0; v.is_array() && i < v.size(); ++i) {
        specs.push_back(v.at(i));
      }
      for (Value s : specs) {
        Directive d;
        // The string's offset is its opening quote in JSON; the text starts one byte later.
        const std::uint32_t at = s.offset() + (doc.format() == SourceFormat::json ? 1 : 0);
        if (s.is_string() && parse_spec(s.str(), at, d, unknown)) {
          d.by_pointer = !d.whole_file;
          d.pointer = doc.pointer_of(n);
          out.push_back(std::move(d));
        }
      }
    }
  }
}

bool covers(const Directive& d, const Finding& f) {
  if (std::find(d.rules.begin(), d.rules.end(), f.rule) == d.rules.end()) {
    return false;
  }
  if (d.whole_file) {
    return true;
  }
  if (d.by_pointer) {
    return f.pointer == d.pointer
           || (f.pointer.size() > d.pointer.size() && f.pointer.starts_with(d.pointer)
               && f.pointer[d.pointer.size()] == '/');
  }
  return d.line != 0 && f.pos.line == d.line;
}

} // namespace

void apply_suppressions(const Document& doc, FileReport& report, const LintOptions& opts) {
  std::vector<Directive> directives;
  std::vector<std::pair<std::string, std::uint32_t>> unknown;
  comment_directives(doc, directives, unknown);
  key_directives(doc, directives, unknown);
  if (!directives.empty()) {
    std::erase_if(report.findings, [&](const Finding& f) {
      return std::any_of(
          directives.begin(), directives.end(), [&](const Directive& d) { return covers(d, f); });
    });
  }
  if (!unknown.empty()) {
    Context cx(doc, report, opts);
    for (const auto& [name, offset] : unknown) {
      const std::string hint = suggest_rule(name);
      cx.emit(
          Rule::suppression_unknown_rule,
          "",
          offset,
          fmt::format("the suppression names '{}', which is not a lint rule: it silences nothing",
                      name),
          hint.empty() ? std::string() : did_you_mean(hint));
    }
  }
}

} // namespace tollgate::core::lint
