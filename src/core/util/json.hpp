#pragma once

#include "core/util/result.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::core::util {

// The tree type used for display and for documents we build; keeps member order as written.
using Json = nlohmann::ordered_json;

// Default nesting limit for anything we parse (security.md 1.12).
inline constexpr std::size_t kMaxJsonDepth = 64;

// A strict, reusable JSON parser: RFC 8259 grammar, valid UTF-8 (RFC 8725 3.7), no duplicate
// member names at any level (compared after unescaping, security.md 1.10) and a depth limit.
// Not thread-safe: use one per thread. Elements stay valid until the next parse().
class StrictJsonParser {
public:
  explicit StrictJsonParser(std::size_t max_depth = kMaxJsonDepth);

  // Parse `len` bytes at `data`. When `padded` is true the caller guarantees that
  // simdjson::SIMDJSON_PADDING readable bytes follow the text (saves a copy on the hot path).
  // On failure returns false and sets `why` to a short reason without the input's content.
  bool parse(const char* data,
             std::size_t len,
             bool padded,
             simdjson::dom::element& root,
             std::string& why);

private:
  simdjson::dom::parser m_parser;
  std::size_t m_max_depth;
};

// Parse `text` strictly and convert it to a Json tree. `what` names the input in the error
// ("header", "JWKS file keys.json"); errors are usage errors with code "malformed" and, where it
// can be found, the byte offset of the problem.
Result<Json> parse_json_strict(std::string_view text,
                               std::string_view what,
                               std::size_t max_depth = kMaxJsonDepth);

// The array or object behind an element, by value (safe in range-for; call only after checking
// the type).
inline simdjson::dom::array array_of(simdjson::dom::element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) {
    return {};
  }
  return a;
}
inline simdjson::dom::object object_of(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) {
    return {};
  }
  return o;
}

// Convert a parsed element to a Json tree.
Json to_json(simdjson::dom::element element);

// Quote and escape `s` as a JSON string (for hand-assembled hot-path output lines).
void append_json_string(std::string& out, std::string_view s);

// `s` shortened to `max` bytes and JSON-quoted, for messages: "\"kid-1\"".
std::string quote(std::string_view s, std::size_t max = 80);

} // namespace tollgate::core::util
