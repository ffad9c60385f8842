#include "core/util/json.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace tollgate::core::util {
namespace {

// A member name with a cheap fingerprint: names are compared only when fingerprints match, which
// keeps the duplicate check off memcmp for the common 20-30 member Keycloak payloads.
struct KeyRef {
  std::uint32_t print;
  std::string_view key;
};

std::uint32_t fingerprint(std::string_view k) {
  if (k.empty()) {
    return 0;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(k.data());
  return static_cast<std::uint32_t>(k.size()) * 0x9E3779B1u ^ (std::uint32_t(p[0]) << 8)
         ^ (std::uint32_t(p[k.size() - 1]) << 16) ^ (std::uint32_t(p[k.size() / 2]) << 24);
}

// Walks the tree once; per-thread buffers (keys of the open objects, children still to visit) are
// used as stacks, so the check does not allocate once warmed up.
struct DuplicateFinder {
  std::vector<KeyRef> keys;
  std::vector<simdjson::dom::element> pending;
  std::string_view dup;

  bool scan(simdjson::dom::element e) {
    using simdjson::dom::element_type;
    const std::size_t child_base = pending.size();
    if (e.type() == element_type::OBJECT) {
      const std::size_t base = keys.size();
      for (auto field : object_of(e)) {
        keys.push_back({fingerprint(field.key), field.key});
        const auto t = field.value.type();
        if (t == element_type::OBJECT || t == element_type::ARRAY) {
          pending.push_back(field.value);
        }
      }
      const std::size_t n = keys.size() - base;
      bool found = false;
      if (n > 1 && n <= 32) {
        for (std::size_t i = base; i < keys.size() && !found; ++i) {
          for (std::size_t j = i + 1; j < keys.size(); ++j) {
            if (keys[i].print == keys[j].print && keys[i].key == keys[j].key) {
              dup = keys[i].key;
              found = true;
              break;
            }
          }
        }
      } else if (n > 32) {
        auto first = keys.begin() + static_cast<std::ptrdiff_t>(base);
        std::sort(first, keys.end(), [](const KeyRef& a, const KeyRef& b) {
          return a.print != b.print ? a.print < b.print : a.key < b.key;
        });
        auto it = std::adjacent_find(first, keys.end(), [](const KeyRef& a, const KeyRef& b) {
          return a.print == b.print && a.key == b.key;
        });
        if (it != keys.end()) {
          dup = it->key;
          found = true;
        }
      }
      keys.resize(base);
      if (found) {
        pending.resize(child_base);
        return true;
      }
    } else {
      for (auto child : array_of(e)) {
        const auto t = child.type();
        if (t == element_type::OBJECT || t == element_type::ARRAY) {
          pending.push_back(child);
        }
      }
    }
    const std::size_t end = pending.size();
    for (std::size_t i = child_base; i < end; ++i) {
      if (scan(pending[i])) {
        pending.resize(child_base);
        return true;
      }
    }
    pending.resize(child_base);
    return false;
  }
};

std::string printable_name(std::string_view name) {
  std::string out;
  append_json_string(out, name.substr(0, 64));
  return out;
}

} // namespace

StrictJsonParser::StrictJsonParser(std::size_t max_depth) : m_max_depth(max_depth) {
  // Start small; simdjson grows the buffers on demand, keeping the depth limit.
  if (m_parser.allocate(4096, max_depth) != simdjson::SUCCESS) {
    m_max_depth = max_depth; // parse() retries the allocation and reports the failure
  }
}

bool StrictJsonParser::parse(const char* data,
                             std::size_t len,
                             bool padded,
                             simdjson::dom::element& root,
                             std::string& why) {
  if (m_parser.capacity() < len) {
    if (m_parser.allocate(len, m_max_depth) != simdjson::SUCCESS) {
      why = "out of memory";
      return false;
    }
  }
  auto err = m_parser.parse(reinterpret_cast<const uint8_t*>(data), len, !padded).get(root);
  if (err) {
    switch (err) {
    case simdjson::DEPTH_ERROR:
      why = fmt::format("nesting is deeper than {} levels", m_max_depth);
      break;
    case simdjson::UTF8_ERROR:
      why = "it is not valid UTF-8";
      break;
    case simdjson::NUMBER_ERROR:
      why = "a number is out of range (integers must fit in 64 bits, floats in a double)";
      break;
    case simdjson::EMPTY:
      why = "it is empty";
      break;
    default:
      why = "it is not valid JSON";
      break;
    }
    return false;
  }
  using simdjson::dom::element_type;
  if (root.type() != element_type::OBJECT && root.type() != element_type::ARRAY) {
    return true;
  }
  thread_local DuplicateFinder finder;
  finder.keys.clear();
  finder.pending.clear();
  if (finder.scan(root)) {
    why = fmt::format("member name {} appears twice in one object", printable_name(finder.dup));
    return false;
  }
  return true;
}

Json to_json(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
  case element_type::OBJECT: {
    Json obj = Json::object();
    for (auto field : object_of(e)) {
      obj[std::string(field.key)] = to_json(field.value);
    }
    return obj;
  }
  case element_type::ARRAY: {
    Json arr = Json::array();
    for (auto child : array_of(e)) {
      arr.push_back(to_json(child));
    }
    return arr;
  }
  case element_type::STRING:
    return std::string(e.get_string().value_unsafe());
  case element_type::INT64:
    return e.get_int64().value_unsafe();
  case element_type::UINT64:
    return e.get_uint64().value_unsafe();
  case element_type::DOUBLE:
    return e.get_double().value_unsafe();
  case element_type::BOOL:
    return e.get_bool().value_unsafe();
  case element_type::NULL_VALUE:
    return nullptr;
  }
  return nullptr;
}

Result<Json>
parse_json_strict(std::string_view text, std::string_view what, std::size_t max_depth) {
  StrictJsonParser parser(max_depth);
  simdjson::dom::element root;
  std::string why;
  if (!parser.parse(text.data(), text.size(), false, root, why)) {
    if (why == "it is not valid JSON") {
      // simdjson does not say where; nlohmann does (the error path only).
      try {
        static_cast<void>(nlohmann::json::parse(text).is_null());
      } catch (const nlohmann::json::parse_error& e) {
        return usage_error("malformed",
                           fmt::format("{} is not valid JSON at byte {}", what, e.byte));
      } catch (const std::exception&) {
      }
    }
    return usage_error("malformed", fmt::format("{} is not acceptable JSON: {}", what, why));
  }
  return to_json(root);
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
      } else {
        out.push_back(ch);
      }
    }
  }
  out.push_back('"');
}

std::string quote(std::string_view s, std::size_t max) {
  std::string out;
  append_json_string(out, excerpt(s, max));
  return out;
}

} // namespace tollgate::core::util
