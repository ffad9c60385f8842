#pragma once

#include "core/claims/check.hpp"

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::claims {

// What the caller asked the claims to satisfy. Unset optional checks are reported as
// "not requested" and do not make a token invalid.
struct ClaimPolicy {
  double leeway = 0;              // seconds, for exp/nbf/iat
  bool allow_missing_exp = false; // exp is required by default (a token without exp never expires)
  std::optional<std::string> iss; // exact, case-sensitive (RFC 7519 4.1.1, security.md 1.15)
  std::vector<std::string> aud;   // the token's aud must contain one of these (exact match)
  std::vector<std::string> required;
  std::vector<std::string> roles;  // "ROLE" (realm_access.roles) or "CLIENT:ROLE" (resource_access)
  std::vector<std::string> scopes; // each must be in the space-separated "scope" claim
  std::vector<std::string> typ;    // accepted header typ values; empty = absent, JWT or at+jwt
};

// RFC 7515 4.1.9 media-type comparison: case-insensitive, "application/" prefix optional.
bool media_type_equals(std::string_view a, std::string_view b);

// The header "typ" policy (RFC 8725 3.11) and the refusal of nested JWTs (cty JWT).
void check_typ(simdjson::dom::element header, const ClaimPolicy& policy, Recorder& rec);

// The payload checks, in order: exp, nbf, iat, iss, aud, required, roles, scopes.
void check_claims(simdjson::dom::element payload,
                  const ClaimPolicy& policy,
                  double now,
                  Recorder& rec);

// Report every check that check_typ and check_claims would make as not checked.
void skip_claims(const ClaimPolicy& policy, Recorder& rec, const std::string& reason);

} // namespace tollgate::core::claims
