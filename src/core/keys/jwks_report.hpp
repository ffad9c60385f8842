#pragma once

#include "core/keys/key.hpp"
#include "core/util/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tollgate::core::keys {

// One key of a JWKS as `tollgate jwks` shows it. Values are never shortened.
struct KeyRow {
  int index = 0; // 1-based position in "keys"
  std::string kid;
  bool has_kid = false;
  std::string kty;
  std::string alg;
  std::string use;
  std::string size;       // "2048 bits", "P-256", "Ed25519", "256 bits"
  std::string thumbprint; // RFC 7638, SHA-256
  std::string x5c_subject;
  std::optional<double> x5c_not_before;
  std::optional<double> x5c_not_after;
  std::string problem; // why the key cannot verify signatures ("" when it can)
};

struct KeyWarning {
  int index = 0;    // the key it is about (0: the whole set)
  std::string code; // duplicate_kid, missing_kid, weak_key, private_key, cert_expired,
                    // cert_not_yet_valid, x5c_mismatch, x5t_mismatch, bad_x5c, unusable_key,
                    // symmetric_key, empty
  std::string message;
};

struct JwksReport {
  std::vector<KeyRow> rows;
  std::vector<KeyWarning> warnings;
};

// Describe and check a JWKS (or a single JWK) as published: duplicate or missing kid, weak keys
// (RSA below 2048 bits, keys refused outright such as e = 1 or ROCA), symmetric keys, private
// members in a public set, and the first x5c certificate (expired or not yet valid at `now`,
// public key different from the JWK's, x5t / x5t#S256 that do not match it). `set` is
// keyset_from_json(doc).
JwksReport inspect_jwks(const util::Json& doc, const KeySet& set, double now);

} // namespace tollgate::core::keys
