#pragma once

#include "core/jose/alg.hpp"
#include "core/util/json.hpp"
#include "core/util/openssl.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::keys {

// One key from configured trust (a JWK, a JWKS entry, a PEM file or a secret), with the facts key
// selection needs. A key that cannot be used for signatures is kept with `problem` set, so that a
// token naming its kid gets the precise reason instead of "no such key".
struct Key {
  std::string kid;
  bool has_kid = false;
  std::string alg; // the JWK "alg" member, "" when absent
  std::string use;
  bool has_use = false;
  std::vector<std::string> key_ops;
  bool has_key_ops = false;

  jose::KeyType kty = jose::KeyType::oct;
  std::string crv; // EC: P-256/P-384/P-521; OKP: Ed25519/Ed448/X25519/X448
  int bits = 0;    // RSA modulus, EC field, or secret length in bits
  bool is_private = false;

  util::PkeyPtr pkey; // RSA, EC, OKP
  std::string secret; // oct

  std::string thumbprint; // RFC 7638, SHA-256, base64url ("" when unknown)
  std::string label;      // where it came from, for messages: "keys.json key #2 (kid 'a')"
  util::Json public_jwk;  // public members only, for display

  std::string problem; // why it cannot verify signatures ("" = usable)
  std::string
      problem_code; // the verify error code when a token selects it (key_mismatch, weak_key)

  // Does `use`/`key_ops` allow verifying signatures (RFC 7517 4.2, 4.3, security.md 1.19)?
  bool allows_verify() const { return allows("verify"); }
  // ... or the key operation `op` ("sign", "verify").
  bool allows(std::string_view op) const;
};

struct KeySet {
  std::vector<Key> keys;
  std::string source;  // "JWKS file keys.json", "key file pub.pem"
  bool pinned = false; // one key given with --key/--secret-*: the token's kid need not name it
};

} // namespace tollgate::core::keys
