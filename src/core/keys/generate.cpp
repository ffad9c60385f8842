#include "core/keys/generate.hpp"

#include "core/jose/alg.hpp"
#include "core/keys/jwk.hpp"
#include "core/util/base64url.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

namespace tollgate::core::keys {

Result<util::Json> generate_jwk(const GenerateSpec& spec) {
  util::Json jwk;
  if (spec.kty == "oct") {
    int bytes = spec.size;
    if (bytes == 0) {
      const jose::AlgInfo* a = jose::find_alg(spec.alg);
      bytes = a && a->kty == jose::KeyType::oct ? static_cast<int>(a->min_hmac_key) : 32;
    }
    if (bytes < 16 || bytes > 1024) {
      return usage_error(
          "bad_size",
          fmt::format("--size {}: an oct secret is 16 to 1024 bytes (32 or more for HS256)",
                      bytes));
    }
    std::string secret(static_cast<std::size_t>(bytes), '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), bytes) != 1) {
      return internal_error("the random number generator failed");
    }
    jwk = {{"kty", "oct"}, {"k", util::b64url_encode(secret)}};
    OPENSSL_cleanse(secret.data(), secret.size());
  } else {
    EVP_PKEY* pkey = nullptr;
    if (spec.kty == "RSA") {
      const int bits = spec.size == 0 ? 2048 : spec.size;
      if (bits < 2048 || bits > 16384 || bits % 8 != 0) {
        return usage_error(
            "bad_size",
            fmt::format("--size {}: RSA keys are 2048 to 16384 bits, a multiple of 8", bits));
      }
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
    } else if (spec.kty == "EC") {
      const std::string crv = spec.crv.empty() ? "P-256" : spec.crv;
      if (crv != "P-256" && crv != "P-384" && crv != "P-521") {
        return usage_error("bad_crv",
                           fmt::format("--crv {}: EC keys use P-256, P-384 or P-521", crv));
      }
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", crv.c_str());
    } else if (spec.kty == "OKP") {
      const std::string crv = spec.crv.empty() ? "Ed25519" : spec.crv;
      if (crv != "Ed25519" && crv != "Ed448") {
        return usage_error("bad_crv",
                           fmt::format("--crv {}: OKP signature keys use Ed25519 or Ed448", crv));
      }
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, crv == "Ed25519" ? "ED25519" : "ED448");
    } else {
      return usage_error("bad_kty", fmt::format("--kty {}: use RSA, EC, OKP or oct", spec.kty));
    }
    if (pkey == nullptr) {
      return internal_error("key generation failed: " + util::openssl_error());
    }
    auto owned = util::adopt_pkey(pkey);
    TOLLGATE_TRY(jwk, jwk_from_pkey(pkey, true));
  }
  if (!spec.alg.empty()) {
    const jose::AlgInfo* a = jose::find_alg(spec.alg);
    if (a == nullptr) {
      return usage_error("bad_alg",
                         fmt::format("--alg {}: not a supported JWS algorithm", spec.alg));
    }
    const std::string crv = jwk.value("crv", "");
    if (!jose::key_fits(*a, a->kty, crv) || jose::kty_name(a->kty) != jwk.value("kty", "")) {
      return usage_error("bad_alg",
                         fmt::format("--alg {} does not fit a {} {} key", spec.alg, spec.kty, crv));
    }
  }
  // Member order: kty first, then kid/use/alg, then key material (as most IdPs publish them).
  util::Json out = {{"kty", jwk["kty"]}};
  out["kid"] = spec.kid.empty() ? thumbprint(jwk) : spec.kid;
  if (!spec.use.empty()) {
    out["use"] = spec.use;
  }
  if (!spec.alg.empty()) {
    out["alg"] = spec.alg;
  }
  for (auto it = jwk.begin(); it != jwk.end(); ++it) {
    if (it.key() != "kty") {
      out[it.key()] = it.value();
    }
  }
  return out;
}

} // namespace tollgate::core::keys
