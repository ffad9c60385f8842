#include "core/jose/alg.hpp"

#include <array>

namespace tollgate::core::jose {
namespace {
constexpr std::array<AlgInfo, 15> kAlgs{{
    {"HS256", KeyType::oct, "SHA256", 32, "", false, 32},
    {"HS384", KeyType::oct, "SHA384", 48, "", false, 48},
    {"HS512", KeyType::oct, "SHA512", 64, "", false, 64},
    {"RS256", KeyType::RSA, "SHA256", 32, "", false, 0},
    {"RS384", KeyType::RSA, "SHA384", 48, "", false, 0},
    {"RS512", KeyType::RSA, "SHA512", 64, "", false, 0},
    {"PS256", KeyType::RSA, "SHA256", 32, "", true, 0},
    {"PS384", KeyType::RSA, "SHA384", 48, "", true, 0},
    {"PS512", KeyType::RSA, "SHA512", 64, "", true, 0},
    {"ES256", KeyType::EC, "SHA256", 32, "P-256", false, 0},
    {"ES384", KeyType::EC, "SHA384", 48, "P-384", false, 0},
    {"ES512", KeyType::EC, "SHA512", 64, "P-521", false, 0},
    {"EdDSA", KeyType::OKP, "", 0, "", false, 0},
    {"Ed25519", KeyType::OKP, "", 0, "Ed25519", false, 0},
    {"Ed448", KeyType::OKP, "", 0, "Ed448", false, 0},
}};
} // namespace

std::string_view kty_name(KeyType kty) {
  switch (kty) {
  case KeyType::oct:
    return "oct";
  case KeyType::RSA:
    return "RSA";
  case KeyType::EC:
    return "EC";
  case KeyType::OKP:
    return "OKP";
  }
  return "?";
}

std::span<const AlgInfo> all_algs() {
  return kAlgs;
}

const AlgInfo* find_alg(std::string_view name) {
  for (const auto& a : kAlgs) {
    if (a.name == name) {
      return &a;
    }
  }
  return nullptr;
}

bool key_fits(const AlgInfo& alg, KeyType kty, std::string_view crv) {
  if (alg.kty != kty) {
    return false;
  }
  if (kty == KeyType::OKP) {
    // Only the signature curves; X25519/X448 are key-agreement keys.
    if (crv != "Ed25519" && crv != "Ed448") {
      return false;
    }
    return alg.crv.empty() || alg.crv == crv;
  }
  return alg.crv.empty() || alg.crv == crv;
}

std::size_t ecdsa_signature_length(std::string_view crv) {
  if (crv == "P-256") {
    return 64;
  }
  if (crv == "P-384") {
    return 96;
  }
  if (crv == "P-521") {
    return 132;
  }
  return 0;
}

} // namespace tollgate::core::jose
