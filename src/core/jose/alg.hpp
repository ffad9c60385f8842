#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace tollgate::core::jose {

enum class KeyType { oct, RSA, EC, OKP };

std::string_view kty_name(KeyType kty);

// One JWS algorithm (RFC 7518 section 3, RFC 8037) and what a key must be to use it.
struct AlgInfo {
  std::string_view name; // exactly as registered; compared case-sensitively (security.md 1.1)
  KeyType kty;
  std::string_view hash;    // OpenSSL digest name; empty for EdDSA
  std::size_t hash_len;     // bytes; 0 for EdDSA
  std::string_view crv;     // required curve; empty when any curve of the kty fits (EdDSA)
  bool pss;                 // RSASSA-PSS with salt length = hash length (RFC 7518 3.5)
  std::size_t min_hmac_key; // HS*: RFC 7518 3.2 minimum secret length in bytes
};

// The supported algorithms: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA,
// and the fully specified Ed25519 and Ed448 (RFC 9864).
std::span<const AlgInfo> all_algs();

// Look up a registered name; nullptr for anything else, including "none" in every spelling.
const AlgInfo* find_alg(std::string_view name);

// Does a key of this type and curve fit the algorithm? (crv is "" for RSA and oct.)
bool key_fits(const AlgInfo& alg, KeyType kty, std::string_view crv);

// ECDSA: the fixed P1363 signature length for the curve (64, 96, 132), else 0.
std::size_t ecdsa_signature_length(std::string_view crv);

} // namespace tollgate::core::jose
