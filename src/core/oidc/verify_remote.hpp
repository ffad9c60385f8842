#pragma once

#include "core/oidc/jwks_source.hpp"
#include "core/verify/verifier.hpp"

#include <string_view>

namespace tollgate::core::oidc {

// Verify one token against a JWKS source: when the token's kid is not in the current set, ask
// the source for one refetch (key rotation) and verify again with the new set. The issuer's
// exact "iss" check is implied when the source came from discovery and `policy` has none.
// Network failures are errors; a negative verdict is an Outcome with valid == false.
Result<verify::Outcome> verify_with_source(JwksSource& source,
                                           std::string_view token,
                                           verify::Policy policy,
                                           double now,
                                           bool detail = true);

} // namespace tollgate::core::oidc
