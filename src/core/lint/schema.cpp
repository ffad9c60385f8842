#include "core/lint/schema.hpp"

#include "core/lint/values.hpp"
#include "core/util/text.hpp"

#include <cmath>

namespace tollgate::core::lint {

std::string_view jtype_name(JType t) {
  switch (t) {
  case JType::any:
    return "any";
  case JType::string:
    return "string";
  case JType::integer:
    return "integer";
  case JType::number:
    return "number";
  case JType::boolean:
    return "boolean";
  case JType::array:
    return "array";
  case JType::object:
    return "object";
  }
  return "any";
}

std::string_view value_type_name(Value v) {
  switch (v.kind()) {
  case NodeKind::null:
    return "null";
  case NodeKind::boolean:
    return "boolean";
  case NodeKind::number:
    return v.is_integer() || std::floor(v.number()) == v.number() ? "integer" : "number";
  case NodeKind::string:
    return "string";
  case NodeKind::array:
    return "array";
  case NodeKind::object:
    return "object";
  }
  return "null";
}

namespace {

bool type_ok(JType t, Value v) {
  switch (t) {
  case JType::any:
    return true;
  case JType::string:
    return v.is_string();
  case JType::integer:
    return v.is_number() && std::floor(v.number()) == v.number() && std::isfinite(v.number());
  case JType::number:
    return v.is_number();
  case JType::boolean:
    return v.is_bool();
  case JType::array:
    return v.is_array();
  case JType::object:
    return v.is_object();
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

bool same_scalar(Value a, Value b) {
  if (a.kind() != b.kind()) {
    return false;
  }
  switch (a.kind()) {
  case NodeKind::null:
    return true;
  case NodeKind::boolean:
    return a.boolean() == b.boolean();
  case NodeKind::number:
    return a.number() == b.number();
  case NodeKind::string:
    return a.str() == b.str();
  default:
    return a.index() == b.index();
  }
}

// Checks that apply to a single scalar (the field's own value or one array item).
void check_scalar(const Field& f, JType type, Value v, int item, std::vector<Issue>& out) {
  if (v.is_string() && has_placeholder(v.str())) {
    return; // substituted before the gateway reads it: not judged
  }
  if (!type_ok(type, v)) {
    out.push_back({Issue::type, v, item, -1, -1, type});
    return;
  }
  if (!f.enums.empty()) {
    bool found = false;
    for (auto e : f.enums) {
      found = found || (v.is_string() && v.str() == e);
    }
    if (!found) {
      out.push_back({Issue::enum_value, v, item});
      return;
    }
  }
  if (!f.int_enums.empty()) {
    bool found = false;
    for (auto e : f.int_enums) {
      found = found || (v.is_number() && v.number() == static_cast<double>(e));
    }
    if (!found) {
      out.push_back({Issue::enum_value, v, item});
      return;
    }
  }
  if (v.is_number()) {
    if (v.number() < f.min) {
      out.push_back({Issue::minimum, v, item});
    } else if (v.number() > f.max) {
      out.push_back({Issue::maximum, v, item});
    }
  }
  if (v.is_string()) {
    const std::size_t len = utf8_length(v.str());
    if (len < f.min_len) {
      out.push_back({Issue::min_length, v, item});
    } else if (len > f.max_len) {
      out.push_back({Issue::max_length, v, item});
    } else if (f.pattern != Pattern::none && !matches_pattern(f.pattern, v.str())) {
      out.push_back({Issue::pattern, v, item});
    }
  }
}

} // namespace

bool matches_pattern(Pattern p, std::string_view s) {
  switch (p) {
  case Pattern::none:
    return true;
  case Pattern::duration: {
    std::size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
    }
    if (i == 0) {
      return false;
    }
    const std::string_view unit = s.substr(i);
    return unit == "ns" || unit == "ms" || unit == "us" || unit == "\xC2\xB5s" || unit == "s"
           || unit == "m" || unit == "h";
  }
  case Pattern::endpoint_path: {
    if (s.empty() || s[0] != '/') {
      return false;
    }
    std::string_view body = s;
    if (body.size() >= 2 && body.substr(body.size() - 2) == "/*") {
      body.remove_suffix(2);
    }
    return body.find_first_of("*?&%") == std::string_view::npos;
  }
  case Pattern::secret_url:
    for (std::string_view scheme :
         {"base64key://", "awskms://", "azurekeyvault://", "gcpkms://", "hashivault://"}) {
      if (s.find(scheme) != std::string_view::npos) {
        return true; // the schema's pattern is unanchored
      }
    }
    return false;
  case Pattern::apisix_id:
    if (s.empty() || s.size() > 64) {
      return false;
    }
    for (char c : s) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                      || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
  return true;
}

void check_field(const Field& f, Value v, std::vector<Issue>& out) {
  if (f.id_or_int) {
    if (v.is_number()) {
      if (!type_ok(JType::integer, v)) {
        out.push_back({Issue::type, v, -1, -1, -1, JType::string});
      } else if (v.number() < 1) {
        out.push_back({Issue::minimum, v});
      }
      return;
    }
    check_scalar(f, JType::string, v, -1, out);
    return;
  }
  if (f.type != JType::array) {
    check_scalar(f, f.type, v, -1, out);
    return;
  }
  if (v.is_string() && has_placeholder(v.str())) {
    return;
  }
  if (!v.is_array()) {
    out.push_back({Issue::type, v, -1, -1, -1, JType::array});
    return;
  }
  if (v.size() < f.min_items) {
    out.push_back({Issue::min_items, v});
  } else if (v.size() > f.max_items) {
    out.push_back({Issue::max_items, v});
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Value item = v.at(i);
    const int idx = static_cast<int>(i);
    if (f.pairs) {
      if (!item.is_array()) {
        out.push_back({Issue::type, item, idx, -1, -1, JType::array});
        continue;
      }
      if (item.size() != 2) {
        out.push_back({item.size() < 2 ? Issue::min_items : Issue::max_items, item, idx});
        continue;
      }
      for (std::size_t k = 0; k < 2; ++k) {
        if (!item.at(k).is_string()) {
          out.push_back({Issue::type, item.at(k), idx, static_cast<int>(k), -1, JType::string});
        }
      }
      continue;
    }
    check_scalar(f, f.items, item, idx, out);
  }
  if (f.unique) {
    for (std::size_t i = 1; i < v.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (same_scalar(v.at(i), v.at(j))) {
          out.push_back({Issue::unique, v.at(i), static_cast<int>(i), -1, static_cast<int>(j)});
          break;
        }
      }
    }
  }
}

const Field* find_field(std::span<const Field> fields, std::string_view key) {
  for (const auto& f : fields) {
    if (f.name == key) {
      return &f;
    }
  }
  return nullptr;
}

std::string closest_name(std::string_view key, std::span<const std::string_view> candidates) {
  std::string best;
  // Close enough to be a typo: one edit for short keys, two from 4 characters (a swapped pair of
  // letters is two Levenshtein edits), three from 9.
  const std::size_t limit = key.size() < 4 ? 1 : key.size() < 9 ? 2 : 3;
  std::size_t best_d = limit + 1;
  const std::string lower = util::to_lower(key);
  for (auto c : candidates) {
    std::size_t d = util::edit_distance(lower, c);
    // Hyphens for underscores is a single conceptual mistake.
    std::string swapped(key);
    for (auto& ch : swapped) {
      if (ch == '-') {
        ch = '_';
      }
    }
    if (swapped == c) {
      d = 1;
    }
    // On a tie prefer the candidate of the same length (a swap, not an insertion).
    if (d < best_d
        || (d == best_d && !best.empty() && c.size() == key.size() && best.size() != key.size())) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

std::string closest_field(std::string_view key, std::span<const Field> fields) {
  std::vector<std::string_view> names;
  names.reserve(fields.size());
  for (const auto& f : fields) {
    names.push_back(f.name);
  }
  return closest_name(key, names);
}

} // namespace tollgate::core::lint
