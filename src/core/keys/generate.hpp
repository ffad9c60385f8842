#pragma once

#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <string>

namespace tollgate::core::keys {

struct GenerateSpec {
  std::string kty; // RSA, EC, OKP, oct
  int size = 0;    // RSA bits (default 2048) or oct bytes (default 32, or the alg's minimum)
  std::string crv; // EC: P-256 (default), P-384, P-521; OKP: Ed25519 (default), Ed448
  std::string kid; // default: the RFC 7638 thumbprint
  std::string alg; // optional; must fit the key
  std::string use = "sig";
};

// Generate a private JWK (with kid, use and, when given, alg) from OpenSSL's generators and RNG.
Result<util::Json> generate_jwk(const GenerateSpec& spec);

} // namespace tollgate::core::keys
