#include "core/lint/rules.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint {

std::string_view severity_name(Severity s) {
  switch (s) {
  case Severity::error:
    return "error";
  case Severity::warning:
    return "warning";
  case Severity::info:
    return "info";
  }
  return "error";
}

std::string_view layer_name(Layer l) {
  switch (l) {
  case Layer::file:
    return "file";
  case Layer::schema:
    return "schema";
  case Layer::runtime:
    return "runtime";
  case Layer::judgement:
    return "judgement";
  case Layer::online:
    return "online";
  }
  return "file";
}

const RuleInfo& rule_info(Rule r) {
  return all_rules()[static_cast<std::size_t>(r)];
}

const RuleInfo* find_rule(std::string_view id) {
  for (const auto& r : all_rules()) {
    if (r.id == id) {
      return &r;
    }
  }
  return nullptr;
}

std::vector<Rule> match_rules(std::string_view pattern) {
  std::vector<Rule> out;
  const bool all = pattern == "*";
  const bool prefix = pattern.size() > 2 && pattern.substr(pattern.size() - 2) == "/*";
  const std::string_view stem = prefix ? pattern.substr(0, pattern.size() - 1) : pattern;
  for (const auto& r : all_rules()) {
    if (all || (prefix && r.id.substr(0, stem.size()) == stem) || (!prefix && r.id == pattern)) {
      out.push_back(r.rule);
    }
  }
  return out;
}

std::string suggest_rule(std::string_view id) {
  std::string best;
  std::size_t best_d = id.size() / 3 + 2;
  for (const auto& r : all_rules()) {
    const std::size_t d = util::edit_distance(id, r.id);
    // Also try without the gateway prefix, for "validator-no-cache" → "krakend/validator-no-cache".
    const auto slash = r.id.find('/');
    const std::size_t d2 =
        slash == std::string_view::npos ? d : util::edit_distance(id, r.id.substr(slash + 1));
    const std::size_t m = std::min(d, d2);
    if (m < best_d) {
      best_d = m;
      best = std::string(r.id);
    }
  }
  return best;
}

RuleSet::RuleSet() : m_on(static_cast<std::size_t>(Rule::count_), true) {}

Result<RuleSet> RuleSet::from_flags(const std::vector<std::string>& disable,
                                    const std::vector<std::string>& enable) {
  RuleSet set;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& pattern : pass == 0 ? disable : enable) {
      const auto rules = match_rules(pattern);
      if (rules.empty()) {
        const std::string hint = suggest_rule(pattern);
        return usage_error(
            "unknown_rule",
            fmt::format("no lint rule matches '{}'{} (see tollgate lint --list-rules)",
                        pattern,
                        hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
      }
      for (Rule r : rules) {
        set.set(r, pass == 1);
      }
    }
  }
  return set;
}

} // namespace tollgate::core::lint
