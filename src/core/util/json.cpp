#include "core/util/json.hpp"

#include "core/util/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace tollgate::core::util {
namespace {

// Keys of the objects on the current path; one buffer per thread, so the check does not allocate
// once warmed up.
bool find_duplicate(simdjson::dom::element e,
                    std::vector<std::string_view>& keys,
                    std::string_view& dup) {
  using simdjson::dom::element_type;
  switch (e.type()) {
  case element_type::OBJECT: {
    const std::size_t base = keys.size();
    simdjson::dom::object obj = object_of(e);
    for (auto field : obj) {
      keys.push_back(field.key);
    }
    const std::size_t n = keys.size() - base;
    if (n > 1) {
      if (n <= 16) {
        for (std::size_t i = base; i < keys.size(); ++i) {
          for (std::size_t j = i + 1; j < keys.size(); ++j) {
            if (keys[i] == keys[j]) {
              dup = keys[i];
              keys.resize(base);
              return true;
            }
          }
        }
      } else {
        std::sort(keys.begin() + static_cast<std::ptrdiff_t>(base), keys.end());
        auto it = std::adjacent_find(keys.begin() + static_cast<std::ptrdiff_t>(base), keys.end());
        if (it != keys.end()) {
          dup = *it;
          keys.resize(base);
          return true;
        }
      }
    }
    keys.resize(base);
    for (auto field : obj) {
      const auto t = field.value.type();
      if ((t == element_type::OBJECT || t == element_type::ARRAY)
          && find_duplicate(field.value, keys, dup)) {
        return true;
      }
    }
    return false;
  }
  case element_type::ARRAY:
    for (auto child : array_of(e)) {
      const auto t = child.type();
      if ((t == element_type::OBJECT || t == element_type::ARRAY)
          && find_duplicate(child, keys, dup)) {
        return true;
      }
    }
    return false;
  default:
    return false;
  }
}

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
  thread_local std::vector<std::string_view> keys;
  keys.clear();
  std::string_view dup;
  if (find_duplicate(root, keys, dup)) {
    why = fmt::format("member name {} appears twice in one object", printable_name(dup));
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

Result<Json> parse_json_strict(std::string_view text, std::string_view what, std::size_t max_depth) {
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
