#pragma once

// A small declarative schema for the objects lint checks field by field (KrakenD validator,
// endpoint, backend; APISIX authz-keycloak, route). It finds type, enum, range, length, item and
// pattern violations; each gateway's rules turn the issues into messages in its own words.

#include "core/lint/document.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace tollgate::core::lint {

enum class JType : std::uint8_t { any, string, integer, number, boolean, array, object };

enum class Pattern : std::uint8_t {
  none,
  duration,      // KrakenD timeunit: ^[0-9]+(ns|ms|us|µs|s|m|h)$
  endpoint_path, // KrakenD endpoint: ^\/[^\*\?\&\%]*(\/\*)?$
  secret_url,    // KrakenD secret_url: (base64key|awskms|azurekeyvault|gcpkms|hashivault)://(.*)
  apisix_id,     // APISIX id: ^[a-zA-Z0-9-_.]+$, 1..64 characters
};

inline constexpr double kNoMin = -std::numeric_limits<double>::infinity();
inline constexpr double kNoMax = std::numeric_limits<double>::infinity();

struct Field {
  std::string_view name;
  JType type = JType::any;
  JType items = JType::any; // for arrays
  std::span<const std::string_view> enums = {};
  std::span<const long long> int_enums = {};
  double min = kNoMin;
  double max = kNoMax;
  std::uint32_t min_len = 0;
  std::uint32_t max_len = UINT32_MAX;
  std::uint32_t min_items = 0;
  std::uint32_t max_items = UINT32_MAX;
  bool unique = false;
  Pattern pattern = Pattern::none;
  bool pairs = false;     // array of [string, string] (KrakenD propagate_claims)
  bool id_or_int = false; // APISIX id: a string matching `pattern` or an integer >= 1
};

struct Issue {
  enum Kind {
    type,
    enum_value,
    minimum,
    maximum,
    min_length,
    max_length,
    min_items,
    max_items,
    unique,
    pattern,
  } kind = type;
  Value value;   // the offending value (the item itself for item issues)
  int item = -1; // 0-based index when the issue is in an array item
  int sub = -1;  // index inside a pair item
  int dup_of = -1;
  JType want = JType::any;
};

// Check one value against its field; appends issues (nothing for placeholder strings, which are
// not judged: see values.hpp).
void check_field(const Field& f, Value v, std::vector<Issue>& out);

// The field named `key` in `fields`, or nullptr.
const Field* find_field(std::span<const Field> fields, std::string_view key);

bool matches_pattern(Pattern p, std::string_view s);
std::string_view jtype_name(JType t);
// The JSON-schema type name of a value ("string", "integer", "number", ...).
std::string_view value_type_name(Value v);

// Names in `candidates` closest to `key` by edit distance (for "did you mean"), best first.
std::string closest_name(std::string_view key, std::span<const std::string_view> candidates);
std::string closest_field(std::string_view key, std::span<const Field> fields);

} // namespace tollgate::core::lint
