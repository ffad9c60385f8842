#include "core/keys/pem.hpp"

#include "core/keys/jwk.hpp"
#include "core/keys/rsa_policy.hpp"
#include "core/util/file.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace tollgate::core::keys {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct DecoderFree {
  void operator()(OSSL_DECODER_CTX* c) const { OSSL_DECODER_CTX_free(c); }
};

constexpr std::size_t kMaxKeyFile = 4 * 1024 * 1024;

EVP_PKEY* decode_pem(std::string_view pem, int selection) {
  EVP_PKEY* pkey = nullptr;
  std::unique_ptr<OSSL_DECODER_CTX, DecoderFree> dctx(
      OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, nullptr, selection, nullptr, nullptr));
  if (!dctx) {
    return nullptr;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t len = pem.size();
  if (OSSL_DECODER_from_data(dctx.get(), &data, &len) != 1) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

Result<std::string> write_bio(bool ok, BIO* bio) {
  if (!ok) {
    return usage_error("bad_key", "cannot encode the key as PEM: " + util::openssl_error());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

} // namespace

Result<Key> key_from_pkey(util::PkeyPtr pkey, std::string label) {
  Key key;
  key.label = std::move(label);
  TOLLGATE_TRY(auto jwk, jwk_from_pkey(pkey.get(), true));
  key.is_private = has_private_members(jwk);
  key.public_jwk = public_part(jwk);
  key.thumbprint = thumbprint(jwk);
  const std::string kty = jwk["kty"];
  if (kty == "RSA") {
    key.kty = jose::KeyType::RSA;
    key.bits = EVP_PKEY_get_bits(pkey.get());
    if (EVP_PKEY_is_a(pkey.get(), "RSA-PSS") == 1) {
      key.problem =
          "RSA-PSS-restricted keys (id-RSASSA-PSS) are not supported; use an rsaEncryption key";
      return key;
    }
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
    if (n != nullptr && e != nullptr) {
      key.problem = rsa_public_problem(n, e);
      if (!key.problem.empty()) {
        key.problem_code = "weak_key";
      }
    }
    BN_free(n);
    BN_free(e);
  } else if (kty == "EC") {
    key.kty = jose::KeyType::EC;
    key.crv = jwk["crv"];
    key.bits = EVP_PKEY_get_bits(pkey.get());
  } else {
    key.kty = jose::KeyType::OKP;
    key.crv = jwk["crv"];
    key.bits = key.crv == "Ed25519" ? 256 : 456;
  }
  key.pkey = std::move(pkey);
  return key;
}

Result<Key> key_from_pem(std::string_view pem, std::string label) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return usage_error("bad_key",
                       fmt::format("{} is an encrypted private key; decrypt it first "
                                   "(openssl pkey -in KEY -out plain.pem)",
                                   label));
  }
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) {
      return usage_error("bad_key",
                         fmt::format("{} holds a certificate OpenSSL cannot read: {}",
                                     label,
                                     util::openssl_error()));
    }
    EVP_PKEY* pkey = X509_get_pubkey(cert);
    X509_free(cert);
    if (pkey == nullptr) {
      return usage_error("bad_key",
                         fmt::format("{}: the certificate's public key is not supported", label));
    }
    return key_from_pkey(util::adopt_pkey(pkey), std::move(label));
  }
  EVP_PKEY* pkey = nullptr;
  if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
    pkey = decode_pem(pem, EVP_PKEY_KEYPAIR);
  } else {
    pkey = decode_pem(pem, EVP_PKEY_PUBLIC_KEY);
  }
  if (pkey == nullptr) {
    const std::string why = util::openssl_error();
    return usage_error("bad_key",
                       fmt::format("{} is not a PEM key or certificate OpenSSL can read{}",
                                   label,
                                   why.empty() ? "" : ": " + why));
  }
  return key_from_pkey(util::adopt_pkey(pkey), std::move(label));
}

Key key_from_secret(std::string secret, std::string label) {
  Key key;
  key.kty = jose::KeyType::oct;
  key.label = std::move(label);
  key.bits = static_cast<int>(secret.size() * 8);
  key.is_private = true;
  if (secret.empty()) {
    key.problem = "the secret is empty";
    key.problem_code = "weak_key";
  }
  key.secret = std::move(secret);
  return key;
}

Result<void> refuse_key_material(std::string_view secret, std::string_view source) {
  const std::string_view t = util::trim(secret);
  auto refuse = [&](std::string_view what) -> Result<void> {
    return usage_error("key_confusion",
                       fmt::format("{} holds {}, not an HMAC secret: a public key must never key "
                                   "HS256/384/512 (anyone who has it could sign); pass key files "
                                   "with --key or --jwks",
                                   source,
                                   what));
  };
  if (t.rfind("-----BEGIN", 0) == 0 || t.find("-----BEGIN ") != std::string_view::npos) {
    return refuse("PEM data");
  }
  for (const char* prefix : {"ssh-rsa ",
                             "ssh-ed25519 ",
                             "ssh-ed448 ",
                             "ssh-dss ",
                             "ecdsa-sha2-",
                             "sk-ssh-",
                             "sk-ecdsa-"}) {
    if (t.rfind(prefix, 0) == 0) {
      return refuse("an OpenSSH public key");
    }
  }
  if (!t.empty() && t.front() == '{') {
    auto doc = util::parse_json_strict(t, "the secret");
    if (doc && doc->is_object() && (doc->contains("kty") || doc->contains("keys"))) {
      return refuse(doc->contains("keys") ? "a JWKS" : "a JWK");
    }
  }
  // DER: the whole input parses as a SubjectPublicKeyInfo or a certificate.
  if (secret.size() > 16 && static_cast<unsigned char>(secret[0]) == 0x30) {
    const auto* p = reinterpret_cast<const unsigned char*>(secret.data());
    if (EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(secret.size()))) {
      const bool whole = p == reinterpret_cast<const unsigned char*>(secret.data()) + secret.size();
      EVP_PKEY_free(k);
      if (whole) {
        return refuse("a DER public key");
      }
    }
    p = reinterpret_cast<const unsigned char*>(secret.data());
    if (X509* x = d2i_X509(nullptr, &p, static_cast<long>(secret.size()))) {
      const bool whole = p == reinterpret_cast<const unsigned char*>(secret.data()) + secret.size();
      X509_free(x);
      if (whole) {
        return refuse("a DER certificate");
      }
    }
  }
  return {};
}

Result<KeySet> load_key_file(const std::string& path, std::string_view what, bool single) {
  TOLLGATE_TRY(auto text, util::read_file(path, kMaxKeyFile, fmt::format("{} file", what)));
  const std::string_view body = util::trim(text);
  KeySet set;
  if (!body.empty() && body.front() == '{') {
    TOLLGATE_TRY(auto doc, util::parse_json_strict(body, fmt::format("{} file '{}'", what, path)));
    TOLLGATE_TRY(set, keyset_from_json(doc, fmt::format("{} file '{}'", what, path)));
  } else if (body.find("-----BEGIN") != std::string_view::npos) {
    TOLLGATE_TRY(auto key, key_from_pem(body, fmt::format("{} file '{}'", what, path)));
    set.source = fmt::format("{} file '{}'", what, path);
    set.keys.push_back(std::move(key));
  } else {
    return usage_error("bad_key",
                       fmt::format("{} file '{}' is neither JSON (JWK, JWKS) nor PEM", what, path));
  }
  if (single && set.keys.size() != 1) {
    return usage_error(
        "bad_key",
        fmt::format("{} file '{}' holds {} keys; {} takes one key (use --jwks for a key set)",
                    what,
                    path,
                    set.keys.size(),
                    what));
  }
  set.pinned = single;
  return set;
}

Result<std::string> pem_public(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  return write_bio(PEM_write_bio_PUBKEY(bio.get(), pkey) == 1, bio.get());
}

Result<std::string> pem_private(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  return write_bio(PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr)
                       == 1,
                   bio.get());
}

} // namespace tollgate::core::keys
