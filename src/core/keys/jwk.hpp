#pragma once

#include "core/keys/key.hpp"
#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace tollgate::core::keys {

// Build a Key from one JWK object (RFC 7517/7518/8037). Never fails: a JWK that cannot be used
// for signatures (missing or malformed members, off-curve point, e = 1, unknown kty, ...) comes
// back with `problem` set and no key material, so a key set can keep its other keys.
Key key_from_jwk(const util::Json& jwk, std::string label);

// A key set from a parsed JSON document: a JWKS ({"keys":[...]}) or a single JWK.
Result<KeySet> keyset_from_json(const util::Json& doc, std::string source);

// The JWK of an OpenSSL key: public members only, or with the private ones.
Result<util::Json> jwk_from_pkey(EVP_PKEY* pkey, bool include_private);

// RFC 7638 thumbprint (SHA-256, base64url) of a JWK's required public members; "" when the JWK
// lacks them.
std::string thumbprint(const util::Json& jwk);

// The public members of a JWK (drops d, p, q, dp, dq, qi, oth, k).
util::Json public_part(const util::Json& jwk);

// Does a JWK hold private key material?
bool has_private_members(const util::Json& jwk);

} // namespace tollgate::core::keys
