#pragma once

// KrakenD's v2.13 schema as lint needs it: the fields of the root, endpoint, backend,
// auth/validator, auth/signer and service-level auth/validator objects, and the extra_config
// namespaces each level accepts (krakend/krakend-schema v2.13: krakend.json, endpoint.json,
// backend.json, auth/validator.json, auth/signer.json, auth/jose.json, *_extra_config.json).

#include "core/lint/context.hpp"
#include "core/lint/schema.hpp"

#include <span>
#include <string>
#include <string_view>

namespace tollgate::core::lint::krakend {

std::span<const Field> root_fields();
std::span<const Field> endpoint_fields();
std::span<const Field> backend_fields();
std::span<const Field> validator_fields();
std::span<const Field> signer_fields();
std::span<const Field> service_validator_fields();

std::span<const std::string_view> endpoint_namespaces();
std::span<const std::string_view> backend_namespaces();
std::span<const std::string_view> service_namespaces();

inline constexpr std::string_view kValidatorNs = "auth/validator";
inline constexpr std::string_view kSignerNs = "auth/signer";
inline constexpr std::string_view kLegacyValidatorNs =
    "github.com/devopsfaith/krakend-jose/validator";
inline constexpr std::string_view kLegacySignerNs = "github.com/devopsfaith/krakend-jose/signer";

// Keys starting with @ $ _ # are comments everywhere in the schema (patternProperties).
inline bool is_comment_key(std::string_view k) {
  return !k.empty() && (k[0] == '@' || k[0] == '$' || k[0] == '_' || k[0] == '#');
}

// How one object is checked: its fields, a name for messages, and what a type error does at run
// time (the validator's block fails to unmarshal; elsewhere the schema alone rejects it).
struct ObjectSpec {
  std::span<const Field> fields;
  std::string_view what;
  std::string_view type_effect;
};

// Unknown keys (with v1 spellings and v2 renames named), field types, enums, patterns and ranges.
// Keys for which `skip_unknown(key)` is true are left to the caller.
void check_object(Context& cx,
                  const std::string& ptr,
                  Value obj,
                  const ObjectSpec& spec,
                  bool (*skip_unknown)(std::string_view) = nullptr);

// The traps of an endpoint-level auth/validator block at `ptr` (schema included); `endpoint` is
// the endpoint object holding it (for input_headers).
void check_validator(Context& cx, const std::string& ptr, Value block, Value endpoint);
// The same for auth/signer.
void check_signer(Context& cx, const std::string& ptr, Value block);

// Seconds in a KrakenD duration ("10s", "1500ms"); nullopt when it does not parse.
std::optional<double> duration_seconds(std::string_view s);

} // namespace tollgate::core::lint::krakend
