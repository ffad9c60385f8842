#pragma once

#include "core/jose/alg.hpp"
#include "core/keys/key.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::keys {

// Which configured keys may check a token's signature. Keys come only from configured trust; the
// token's kid is an exact-match label (security.md 1.7) and its jwk/jku/x5u/x5c headers are
// never consulted.
struct Selection {
  std::vector<std::size_t> candidates; // indexes into the key set, to try in order
  std::string code;                    // when there are none: key_not_found, key_mismatch, weak_key
  std::string message;
};

// What a key is wanted for: key_ops must then hold "verify" or "sign".
enum class Purpose { verify, sign };

// Why `key` cannot check (or make) an `alg` signature ("" when it can), and the error code for it.
std::string fit_problem(const Key& key,
                        const jose::AlgInfo& alg,
                        bool allow_weak,
                        std::string& code,
                        Purpose purpose = Purpose::verify);

// Select keys for a token with algorithm `alg` and, when `kid` is non-null, that kid.
// With a kid: exactly the key with that kid (an ambiguous kid is refused, never tried twice).
// Without: every key whose type, curve, alg, use and key_ops fit, in key-set order.
Selection select_keys(const KeySet& set,
                      const jose::AlgInfo& alg,
                      const std::string_view* kid,
                      bool allow_weak);

// "key 'abc'" or "the key from key file 'x.pem'", for messages.
std::string describe_key(const Key& key);

} // namespace tollgate::core::keys
