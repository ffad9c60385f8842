#include "core/keys/jwk.hpp"

#include "core/keys/rsa_policy.hpp"
#include "core/util/base64url.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <memory>

namespace tollgate::core::keys {
namespace {

using util::Json;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

constexpr const char* kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

// A base64url member as bytes; sets `why` when absent, not a string or not canonical base64url.
bool member_bytes(const Json& jwk, const char* name, std::string& out, std::string& why) {
  auto it = jwk.find(name);
  if (it == jwk.end()) {
    why = fmt::format("member \"{}\" is missing", name);
    return false;
  }
  if (!it->is_string()) {
    why = fmt::format("member \"{}\" is not a string", name);
    return false;
  }
  util::Base64Problem problem;
  if (!util::b64url_decode_strict(it->get_ref<const std::string&>(), out, &problem)) {
    why = fmt::format("member \"{}\" is not valid base64url at offset {}: {}",
                      name,
                      problem.offset,
                      problem.reason);
    return false;
  }
  return true;
}

BnPtr to_bn(const std::string& bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()),
                         nullptr));
}

std::string bn_bytes(const BIGNUM* bn, int width = 0) {
  const int n = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(n), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), n);
  return out;
}

util::PkeyPtr pkey_from_params(const char* type, OSSL_PARAM_BLD* bld, bool priv) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  util::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
      || EVP_PKEY_fromdata(
             ctx.get(), &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get())
             != 1) {
    return nullptr;
  }
  return util::adopt_pkey(pkey);
}

const char* ec_group_name(std::string_view crv) {
  if (crv == "P-256") {
    return "prime256v1";
  }
  if (crv == "P-384") {
    return "secp384r1";
  }
  if (crv == "P-521") {
    return "secp521r1";
  }
  return nullptr;
}

int ec_field_bytes(std::string_view crv) {
  return crv == "P-256" ? 32 : crv == "P-384" ? 48 : crv == "P-521" ? 66 : 0;
}

void load_rsa(Key& key, const Json& jwk) {
  std::string n, e, why;
  if (!member_bytes(jwk, "n", n, why) || !member_bytes(jwk, "e", e, why)) {
    key.problem = why;
    return;
  }
  BnPtr bn_n = to_bn(n), bn_e = to_bn(e);
  if (!bn_n || !bn_e || BN_is_zero(bn_n.get())) {
    key.problem = "member \"n\" is empty";
    return;
  }
  key.bits = BN_num_bits(bn_n.get());
  if (auto problem = rsa_public_problem(bn_n.get(), bn_e.get()); !problem.empty()) {
    key.problem = problem;
    key.problem_code = "weak_key";
    return;
  }
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  std::vector<BnPtr> keep;
  if (jwk.contains("d")) {
    std::string d;
    if (!member_bytes(jwk, "d", d, why)) {
      key.problem = why;
      return;
    }
    keep.push_back(to_bn(d));
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, keep.back().get());
    static constexpr std::pair<const char*, const char*> kCrt[] = {
        {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
        {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
        {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    bool all = true;
    for (const auto& [member, param] : kCrt) {
      all = all && jwk.contains(member);
    }
    if (all) {
      for (const auto& [member, param] : kCrt) {
        std::string v;
        if (!member_bytes(jwk, member, v, why)) {
          key.problem = why;
          return;
        }
        keep.push_back(to_bn(v));
        OSSL_PARAM_BLD_push_BN(bld.get(), param, keep.back().get());
      }
    }
    key.is_private = true;
  }
  key.pkey = pkey_from_params("RSA", bld.get(), key.is_private);
  if (!key.pkey) {
    key.problem = "OpenSSL refused the RSA key: " + util::openssl_error();
  }
}

void load_ec(Key& key, const Json& jwk) {
  const char* group = ec_group_name(key.crv);
  if (group == nullptr) {
    key.problem = key.crv.empty()
                      ? "member \"crv\" is missing"
                      : fmt::format("curve \"{}\" is not supported (P-256, P-384, P-521)", key.crv);
    return;
  }
  std::string x, y, why;
  if (!member_bytes(jwk, "x", x, why) || !member_bytes(jwk, "y", y, why)) {
    key.problem = why;
    return;
  }
  const auto width = static_cast<std::size_t>(ec_field_bytes(key.crv));
  // RFC 7518 6.2.1.2: x and y are exactly the field size, leading zeros kept.
  if (x.size() != width || y.size() != width) {
    key.problem = fmt::format("coordinates must be {} bytes each for {} (x has {}, y has {})",
                              width,
                              key.crv,
                              x.size(),
                              y.size());
    return;
  }
  key.bits = key.crv == "P-521" ? 521 : static_cast<int>(width * 8);
  std::string point = "\x04" + x + y;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  BnPtr d;
  if (jwk.contains("d")) {
    std::string dbytes;
    if (!member_bytes(jwk, "d", dbytes, why)) {
      key.problem = why;
      return;
    }
    d = to_bn(dbytes);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get());
    key.is_private = true;
  }
  key.pkey = pkey_from_params("EC", bld.get(), key.is_private);
  if (!key.pkey) {
    key.problem = "the point is not on the curve " + key.crv;
    return;
  }
  // RFC 8725 3.4: validate crypto inputs; fromdata does not always check the point.
  util::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    key.pkey.reset();
    key.problem = "the point is not on the curve " + key.crv;
  }
}

void load_okp(Key& key, const Json& jwk) {
  int type = 0;
  std::size_t len = 0;
  if (key.crv == "Ed25519") {
    type = EVP_PKEY_ED25519;
    len = 32;
  } else if (key.crv == "Ed448") {
    type = EVP_PKEY_ED448;
    len = 57;
  } else if (key.crv == "X25519" || key.crv == "X448") {
    key.problem = fmt::format("{} is a key-agreement key, not a signature key", key.crv);
    key.problem_code = "key_mismatch";
    return;
  } else {
    key.problem = key.crv.empty()
                      ? "member \"crv\" is missing"
                      : fmt::format("curve \"{}\" is not supported (Ed25519, Ed448)", key.crv);
    return;
  }
  key.bits = key.crv == "Ed25519" ? 256 : 456;
  std::string x, why;
  if (!member_bytes(jwk, "x", x, why)) {
    key.problem = why;
    return;
  }
  if (x.size() != len) {
    key.problem =
        fmt::format("member \"x\" must be {} bytes for {}, not {}", len, key.crv, x.size());
    return;
  }
  EVP_PKEY* pkey = nullptr;
  if (jwk.contains("d")) {
    std::string d;
    if (!member_bytes(jwk, "d", d, why)) {
      key.problem = why;
      return;
    }
    pkey = EVP_PKEY_new_raw_private_key(
        type, nullptr, reinterpret_cast<const unsigned char*>(d.data()), d.size());
    key.is_private = true;
    if (pkey != nullptr) {
      // The private key implies the public one; it must agree with "x".
      std::string derived(len, '\0');
      std::size_t dlen = len;
      if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(derived.data()), &dlen)
              != 1
          || derived != x) {
        EVP_PKEY_free(pkey);
        key.problem = "member \"x\" does not match the private key \"d\"";
        return;
      }
    }
  } else {
    pkey = EVP_PKEY_new_raw_public_key(
        type, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  }
  if (pkey == nullptr) {
    key.problem = "OpenSSL refused the key: " + util::openssl_error();
    return;
  }
  key.pkey = util::adopt_pkey(pkey);
}

void load_oct(Key& key, const Json& jwk) {
  std::string why;
  if (!member_bytes(jwk, "k", key.secret, why)) {
    key.problem = why;
    return;
  }
  key.bits = static_cast<int>(key.secret.size() * 8);
  key.is_private = true;
  if (key.secret.empty()) {
    key.problem = "the secret \"k\" is empty";
    key.problem_code = "weak_key";
  }
}

std::string string_member(const Json& jwk, const char* name, bool& present, std::string& problem) {
  auto it = jwk.find(name);
  if (it == jwk.end()) {
    present = false;
    return "";
  }
  present = true;
  if (!it->is_string()) {
    problem = fmt::format("member \"{}\" is not a string", name);
    return "";
  }
  return it->get<std::string>();
}

} // namespace

Key key_from_jwk(const Json& jwk, std::string label) {
  Key key;
  key.label = std::move(label);
  if (!jwk.is_object()) {
    key.problem = "a JWK must be a JSON object";
    return key;
  }
  std::string problem;
  bool present = false;
  key.kid = string_member(jwk, "kid", key.has_kid, problem);
  key.alg = string_member(jwk, "alg", present, problem);
  key.use = string_member(jwk, "use", key.has_use, problem);
  key.crv = string_member(jwk, "crv", present, problem);
  bool has_kty = false;
  const std::string kty = string_member(jwk, "kty", has_kty, problem);
  if (auto it = jwk.find("key_ops"); it != jwk.end()) {
    key.has_key_ops = true;
    if (!it->is_array()) {
      problem = "member \"key_ops\" is not an array";
    } else {
      for (const auto& op : *it) {
        if (!op.is_string()) {
          problem = "member \"key_ops\" holds a non-string";
          break;
        }
        key.key_ops.push_back(op.get<std::string>());
      }
    }
  }
  key.public_jwk = public_part(jwk);
  if (!problem.empty()) {
    key.problem = problem;
    return key;
  }
  // RFC 7517 4.3: use and key_ops together must agree.
  if (key.has_use && key.has_key_ops) {
    const bool sig_ops =
        std::all_of(key.key_ops.begin(), key.key_ops.end(), [](const std::string& op) {
          return op == "sign" || op == "verify";
        });
    if ((key.use == "sig") != sig_ops) {
      key.problem = "members \"use\" and \"key_ops\" disagree";
      return key;
    }
  }
  if (!has_kty) {
    key.problem = "member \"kty\" is missing";
    return key;
  }
  if (kty == "RSA") {
    key.kty = jose::KeyType::RSA;
    load_rsa(key, jwk);
  } else if (kty == "EC") {
    key.kty = jose::KeyType::EC;
    load_ec(key, jwk);
  } else if (kty == "OKP") {
    key.kty = jose::KeyType::OKP;
    load_okp(key, jwk);
  } else if (kty == "oct") {
    key.kty = jose::KeyType::oct;
    load_oct(key, jwk);
  } else {
    key.problem = fmt::format("key type \"{}\" is not supported (RSA, EC, OKP, oct)",
                              util::excerpt(util::terminal_safe(kty), 20));
    return key;
  }
  if (key.problem.empty()) {
    key.thumbprint = thumbprint(jwk);
  }
  return key;
}

Result<KeySet> keyset_from_json(const Json& doc, std::string source) {
  KeySet set;
  set.source = source;
  if (!doc.is_object()) {
    return usage_error("bad_key",
                       fmt::format("{} is not a JWK or a JWKS (expected a JSON object)", source));
  }
  if (auto it = doc.find("keys"); it != doc.end()) {
    if (!it->is_array()) {
      return usage_error("bad_key", fmt::format("{}: \"keys\" is not an array", source));
    }
    std::size_t i = 0;
    for (const auto& jwk : *it) {
      ++i;
      std::string label = fmt::format("key #{}", i);
      if (jwk.is_object() && jwk.contains("kid") && jwk["kid"].is_string()) {
        label += fmt::format(" (kid '{}')",
                             util::excerpt(util::terminal_safe(jwk["kid"].get<std::string>()), 60));
      }
      set.keys.push_back(key_from_jwk(jwk, std::move(label)));
    }
    return set;
  }
  if (!doc.contains("kty")) {
    return usage_error(
        "bad_key",
        fmt::format("{} is neither a JWKS (no \"keys\") nor a JWK (no \"kty\")", source));
  }
  set.keys.push_back(key_from_jwk(doc, "the JWK"));
  return set;
}

Result<Json> jwk_from_pkey(EVP_PKEY* pkey, bool include_private) {
  Json jwk = Json::object();
  auto get_bn = [&](const char* name) -> BnPtr {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
      return nullptr;
    }
    return BnPtr(bn);
  };
  if (EVP_PKEY_is_a(pkey, "RSA") == 1 || EVP_PKEY_is_a(pkey, "RSA-PSS") == 1) {
    BnPtr n = get_bn(OSSL_PKEY_PARAM_RSA_N), e = get_bn(OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) {
      return usage_error("bad_key", "cannot read the RSA key");
    }
    jwk["kty"] = "RSA";
    jwk["n"] = util::b64url_encode(bn_bytes(n.get()));
    jwk["e"] = util::b64url_encode(bn_bytes(e.get()));
    if (include_private) {
      static constexpr std::pair<const char*, const char*> kPriv[] = {
          {"d", OSSL_PKEY_PARAM_RSA_D},
          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
          {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
          {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
          {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
          {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
      };
      for (const auto& [member, param] : kPriv) {
        if (BnPtr v = get_bn(param)) {
          jwk[member] = util::b64url_encode(bn_bytes(v.get()));
        }
      }
    }
    return jwk;
  }
  if (EVP_PKEY_is_a(pkey, "EC") == 1) {
    char group[64] = {0};
    std::size_t glen = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen)
        != 1) {
      return usage_error("bad_key", "cannot read the EC key's curve");
    }
    const std::string g = group;
    const char* crv = g == "prime256v1" || g == "P-256"  ? "P-256"
                      : g == "secp384r1" || g == "P-384" ? "P-384"
                      : g == "secp521r1" || g == "P-521" ? "P-521"
                                                         : nullptr;
    if (crv == nullptr) {
      return usage_error(
          "bad_key",
          fmt::format("EC curve {} has no JWS algorithm (use P-256, P-384 or P-521)", g));
    }
    const int width = ec_field_bytes(crv);
    BnPtr x = get_bn(OSSL_PKEY_PARAM_EC_PUB_X), y = get_bn(OSSL_PKEY_PARAM_EC_PUB_Y);
    if (!x || !y) {
      return usage_error("bad_key", "cannot read the EC public point");
    }
    jwk["kty"] = "EC";
    jwk["crv"] = crv;
    jwk["x"] = util::b64url_encode(bn_bytes(x.get(), width));
    jwk["y"] = util::b64url_encode(bn_bytes(y.get(), width));
    if (include_private) {
      if (BnPtr d = get_bn(OSSL_PKEY_PARAM_PRIV_KEY)) {
        jwk["d"] = util::b64url_encode(bn_bytes(d.get(), width));
      }
    }
    return jwk;
  }
  const bool ed25519 = EVP_PKEY_is_a(pkey, "ED25519") == 1;
  if (ed25519 || EVP_PKEY_is_a(pkey, "ED448") == 1) {
    unsigned char buf[64];
    std::size_t len = sizeof buf;
    if (EVP_PKEY_get_raw_public_key(pkey, buf, &len) != 1) {
      return usage_error("bad_key", "cannot read the EdDSA public key");
    }
    jwk["kty"] = "OKP";
    jwk["crv"] = ed25519 ? "Ed25519" : "Ed448";
    jwk["x"] = util::b64url_encode(std::string_view(reinterpret_cast<char*>(buf), len));
    if (include_private) {
      len = sizeof buf;
      if (EVP_PKEY_get_raw_private_key(pkey, buf, &len) == 1) {
        jwk["d"] = util::b64url_encode(std::string_view(reinterpret_cast<char*>(buf), len));
      }
      OPENSSL_cleanse(buf, sizeof buf);
    }
    return jwk;
  }
  return usage_error("bad_key",
                     "key type is not supported (RSA, EC P-256/384/521, Ed25519, Ed448)");
}

std::string thumbprint(const Json& jwk) {
  // RFC 7638 3.2: the required members only, names sorted, no whitespace.
  const std::string kty = jwk.value("kty", "");
  std::vector<const char*> names;
  if (kty == "RSA") {
    names = {"e", "kty", "n"};
  } else if (kty == "EC") {
    names = {"crv", "kty", "x", "y"};
  } else if (kty == "OKP") {
    names = {"crv", "kty", "x"};
  } else if (kty == "oct") {
    names = {"k", "kty"};
  } else {
    return "";
  }
  nlohmann::json canonical = nlohmann::json::object(); // sorted keys
  for (const char* n : names) {
    auto it = jwk.find(n);
    if (it == jwk.end() || !it->is_string()) {
      return "";
    }
    canonical[n] = it->get<std::string>();
  }
  const std::string text = canonical.dump();
  unsigned char md[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  return util::b64url_encode(std::string_view(reinterpret_cast<char*>(md), len));
}

Json public_part(const Json& jwk) {
  if (!jwk.is_object()) {
    return jwk;
  }
  Json out = jwk;
  for (const char* m : kPrivateMembers) {
    out.erase(m);
  }
  return out;
}

bool has_private_members(const Json& jwk) {
  if (!jwk.is_object()) {
    return false;
  }
  for (const char* m : kPrivateMembers) {
    if (jwk.contains(m)) {
      return true;
    }
  }
  return false;
}

} // namespace tollgate::core::keys
