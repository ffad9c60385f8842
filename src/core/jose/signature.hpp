#pragma once

#include "core/jose/alg.hpp"
#include "core/util/openssl.hpp"
#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::core::jose {

enum class SigCheck {
  valid,
  wrong_length, // refused before any crypto call (RFC 7518 3.4, security.md 1.2, 1.4)
  invalid,
};

// A key prepared to check signatures of one algorithm: digests, contexts and padding are set up
// once and reused, which is what makes batch verification run at OpenSSL's own rate. Not
// thread-safe (one per thread); the EVP_PKEY itself is shared read-only.
// The caller has already checked that the key fits the algorithm (kty, curve, size policy).
class SignatureVerifier {
public:
  // An RSA, EC or OKP public (or private) key for an RS*, PS*, ES* or EdDSA algorithm.
  static Result<SignatureVerifier> for_key(const AlgInfo& alg, util::PkeyPtr key);
  // A secret for an HS* algorithm. The secret must not be empty.
  static Result<SignatureVerifier> for_secret(const AlgInfo& alg, std::string_view secret);

  // Check `sig` (raw bytes, as decoded from the third segment) over the exact signing input.
  SigCheck verify(std::string_view signing_input, std::string_view sig);

  // The signature length this key and algorithm require (0 when it varies).
  std::size_t expected_length() const { return m_sig_len; }
  const AlgInfo& alg() const { return *m_alg; }

private:
  SignatureVerifier() = default;
  bool digest(std::string_view data, unsigned char* out, unsigned int* len);

  const AlgInfo* m_alg = nullptr;
  util::PkeyPtr m_key;
  util::PkeyCtxPtr m_pctx; // RSA/EC: initialised for verify, padding and md set
  util::MdCtxPtr m_md_ctx; // digest (RSA/EC) or DigestVerify (EdDSA)
  util::MdPtr m_md;
  util::MacCtxPtr m_mac; // HMAC with the key set
  std::size_t m_sig_len = 0;
};

// Sign `signing_input` with a private key (RS*, PS*, ES* in P1363 form, EdDSA).
Result<std::string>
sign_with_key(const AlgInfo& alg, EVP_PKEY* key, std::string_view signing_input);
// HMAC `signing_input` with `secret` (HS*).
Result<std::string>
sign_with_secret(const AlgInfo& alg, std::string_view secret, std::string_view signing_input);

} // namespace tollgate::core::jose
