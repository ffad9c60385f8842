#pragma once

#include "core/keys/key.hpp"
#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <string>

namespace tollgate::core::jose {

// Build and sign a compact JWS: base64url(header).base64url(claims).signature. The key must be a
// private key (or a secret) that fits `alg`; a JWK's own alg must agree.
Result<std::string> sign_token(const util::Json& header,
                               const util::Json& claims,
                               const keys::Key& key,
                               std::string_view alg,
                               bool allow_weak);

} // namespace tollgate::core::jose
