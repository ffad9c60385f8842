#include "core/jose/signature.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <string>

namespace tollgate::core::jose {
namespace {

using util::MdPtr;

MdPtr fetch_md(std::string_view name) {
  return MdPtr(EVP_MD_fetch(nullptr, std::string(name).c_str(), nullptr));
}

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// P1363 r||s to the DER form OpenSSL verifies; OpenSSL then rejects r or s outside [1, n-1]
// (CVE-2022-21449 class). Returns false when the halves cannot be converted.
bool p1363_to_der(std::string_view sig, std::string& der) {
  const std::size_t half = sig.size() / 2;
  std::unique_ptr<ECDSA_SIG, SigFree> es(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(
      reinterpret_cast<const unsigned char*>(sig.data()), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(
      reinterpret_cast<const unsigned char*>(sig.data() + half), static_cast<int>(half), nullptr);
  if (!es || !r || !s || ECDSA_SIG_set0(es.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  const int len = i2d_ECDSA_SIG(es.get(), nullptr);
  if (len <= 0) {
    return false;
  }
  der.resize(static_cast<std::size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  return i2d_ECDSA_SIG(es.get(), &p) == len;
}

Error crypto_failure(std::string_view what) {
  const std::string why = util::openssl_error();
  return internal_error(why.empty() ? std::string(what) : fmt::format("{}: {}", what, why));
}

} // namespace

Result<SignatureVerifier> SignatureVerifier::for_key(const AlgInfo& alg, util::PkeyPtr key) {
  SignatureVerifier v;
  v.m_alg = &alg;
  v.m_key = std::move(key);
  EVP_PKEY* pkey = v.m_key.get();
  if (pkey == nullptr || alg.kty == KeyType::oct) {
    return internal_error("signature verifier needs an asymmetric key");
  }
  v.m_md_ctx.reset(EVP_MD_CTX_new());
  if (!v.m_md_ctx) {
    return crypto_failure("cannot allocate a digest context");
  }
  if (alg.kty == KeyType::OKP) {
    const bool ed448 = EVP_PKEY_is_a(pkey, "ED448") == 1;
    const bool ed25519 = EVP_PKEY_is_a(pkey, "ED25519") == 1;
    if (!ed448 && !ed25519) {
      return internal_error("EdDSA needs an Ed25519 or Ed448 key");
    }
    v.m_sig_len = ed448 ? 114 : 64;
    return v;
  }
  v.m_md = fetch_md(alg.hash);
  if (!v.m_md) {
    return crypto_failure("digest unavailable");
  }
  v.m_pctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!v.m_pctx || EVP_PKEY_verify_init(v.m_pctx.get()) != 1) {
    return crypto_failure("cannot set up signature verification");
  }
  if (alg.kty == KeyType::RSA) {
    v.m_sig_len = static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
    if (EVP_PKEY_CTX_set_rsa_padding(v.m_pctx.get(),
                                     alg.pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING)
        != 1) {
      return crypto_failure("cannot set RSA padding");
    }
    if (alg.pss
        && (EVP_PKEY_CTX_set_rsa_pss_saltlen(v.m_pctx.get(), RSA_PSS_SALTLEN_DIGEST) != 1
            || EVP_PKEY_CTX_set_rsa_mgf1_md(v.m_pctx.get(), v.m_md.get()) != 1)) {
      // RFC 7518 3.5: the salt is exactly as long as the hash; AUTO would accept any salt.
      return crypto_failure("cannot set PSS parameters");
    }
  } else {
    v.m_sig_len = ecdsa_signature_length(alg.crv);
  }
  if (EVP_PKEY_CTX_set_signature_md(v.m_pctx.get(), v.m_md.get()) != 1) {
    return crypto_failure("cannot set the signature digest");
  }
  return v;
}

Result<SignatureVerifier> SignatureVerifier::for_secret(const AlgInfo& alg,
                                                        std::string_view secret) {
  if (alg.kty != KeyType::oct) {
    return internal_error("a secret can only verify HS* signatures");
  }
  if (secret.empty()) {
    return verdict_error("weak_key", "the HMAC secret is empty");
  }
  SignatureVerifier v;
  v.m_alg = &alg;
  v.m_sig_len = alg.hash_len;
  v.m_mac.reset(EVP_MAC_CTX_new(hmac_algorithm()));
  if (!v.m_mac) {
    return crypto_failure("HMAC unavailable");
  }
  std::string digest(alg.hash);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(v.m_mac.get(),
                   reinterpret_cast<const unsigned char*>(secret.data()),
                   secret.size(),
                   params)
      != 1) {
    return crypto_failure("cannot set up HMAC");
  }
  return v;
}

bool SignatureVerifier::digest(std::string_view data, unsigned char* out, unsigned int* len) {
  return EVP_DigestInit_ex2(m_md_ctx.get(), m_md.get(), nullptr) == 1
         && EVP_DigestUpdate(m_md_ctx.get(), data.data(), data.size()) == 1
         && EVP_DigestFinal_ex(m_md_ctx.get(), out, len) == 1;
}

SigCheck SignatureVerifier::verify(std::string_view signing_input, std::string_view sig) {
  // An empty or short signature fails before any crypto call (never "nothing to compare").
  if (sig.empty() || (m_sig_len != 0 && sig.size() != m_sig_len)) {
    return SigCheck::wrong_length;
  }
  const auto* sig_bytes = reinterpret_cast<const unsigned char*>(sig.data());
  switch (m_alg->kty) {
  case KeyType::oct: {
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t mac_len = 0;
    // A NULL key re-initialises HMAC with the key already set.
    if (EVP_MAC_init(m_mac.get(), nullptr, 0, nullptr) != 1
        || EVP_MAC_update(m_mac.get(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size())
               != 1
        || EVP_MAC_final(m_mac.get(), mac, &mac_len, sizeof mac) != 1 || mac_len != sig.size()) {
      return SigCheck::invalid;
    }
    return CRYPTO_memcmp(mac, sig_bytes, mac_len) == 0 ? SigCheck::valid : SigCheck::invalid;
  }
  case KeyType::RSA: {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!digest(signing_input, md, &md_len)) {
      return SigCheck::invalid;
    }
    const int rc = EVP_PKEY_verify(m_pctx.get(), sig_bytes, sig.size(), md, md_len);
    return rc == 1 ? SigCheck::valid : SigCheck::invalid;
  }
  case KeyType::EC: {
    thread_local std::string der;
    if (!p1363_to_der(sig, der)) {
      return SigCheck::invalid;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!digest(signing_input, md, &md_len)) {
      return SigCheck::invalid;
    }
    const int rc = EVP_PKEY_verify(
        m_pctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(), md, md_len);
    return rc == 1 ? SigCheck::valid : SigCheck::invalid;
  }
  case KeyType::OKP: {
    if (EVP_DigestVerifyInit_ex(
            m_md_ctx.get(), nullptr, nullptr, nullptr, nullptr, m_key.get(), nullptr)
        != 1) {
      return SigCheck::invalid;
    }
    const int rc = EVP_DigestVerify(m_md_ctx.get(),
                                    sig_bytes,
                                    sig.size(),
                                    reinterpret_cast<const unsigned char*>(signing_input.data()),
                                    signing_input.size());
    return rc == 1 ? SigCheck::valid : SigCheck::invalid;
  }
  }
  return SigCheck::invalid;
}

Result<std::string>
sign_with_key(const AlgInfo& alg, EVP_PKEY* key, std::string_view signing_input) {
  util::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const std::string hash(alg.hash);
  if (!ctx
      || EVP_DigestSignInit_ex(ctx.get(),
                               &pctx,
                               alg.hash.empty() ? nullptr : hash.c_str(),
                               nullptr,
                               nullptr,
                               key,
                               nullptr)
             != 1) {
    return crypto_failure("cannot set up signing (is this a private key?)");
  }
  if (alg.kty == KeyType::RSA && alg.pss
      && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
          || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return crypto_failure("cannot set PSS parameters");
  }
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, signing_input.size()) != 1) {
    return crypto_failure("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(
          ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, signing_input.size())
      != 1) {
    return crypto_failure("signing failed");
  }
  sig.resize(len);
  if (alg.kty != KeyType::EC) {
    return sig;
  }
  // DER to P1363: fixed-width r || s (RFC 7518 3.4).
  const std::size_t n = ecdsa_signature_length(alg.crv) / 2;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  std::unique_ptr<ECDSA_SIG, SigFree> es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!es) {
    return crypto_failure("cannot decode the ECDSA signature");
  }
  std::string raw(2 * n, '\0');
  if (BN_bn2binpad(ECDSA_SIG_get0_r(es.get()),
                   reinterpret_cast<unsigned char*>(raw.data()),
                   static_cast<int>(n))
          < 0
      || BN_bn2binpad(ECDSA_SIG_get0_s(es.get()),
                      reinterpret_cast<unsigned char*>(raw.data() + n),
                      static_cast<int>(n))
             < 0) {
    return crypto_failure("cannot encode the ECDSA signature");
  }
  return raw;
}

Result<std::string>
sign_with_secret(const AlgInfo& alg, std::string_view secret, std::string_view signing_input) {
  if (alg.kty != KeyType::oct || secret.empty()) {
    return usage_error("weak_key", "an HS* signature needs a non-empty secret");
  }
  util::MacCtxPtr mac(EVP_MAC_CTX_new(hmac_algorithm()));
  std::string digest(alg.hash);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_end(),
  };
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t out_len = 0;
  if (!mac
      || EVP_MAC_init(mac.get(),
                      reinterpret_cast<const unsigned char*>(secret.data()),
                      secret.size(),
                      params)
             != 1
      || EVP_MAC_update(mac.get(),
                        reinterpret_cast<const unsigned char*>(signing_input.data()),
                        signing_input.size())
             != 1
      || EVP_MAC_final(mac.get(), out, &out_len, sizeof out) != 1) {
    return crypto_failure("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

} // namespace tollgate::core::jose
