#include "core/keys/jwks_report.hpp"

#include "core/keys/jwk.hpp"
#include "core/keys/x509.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

#include <map>

namespace tollgate::core::keys {
namespace {

constexpr int kMinRsaBits = 2048; // RFC 7518 3.3 and 3.5

std::string size_of(const Key& k) {
  switch (k.kty) {
  case jose::KeyType::RSA:
  case jose::KeyType::oct:
    return k.bits > 0 ? fmt::format("{} bits", k.bits) : std::string();
  case jose::KeyType::EC:
  case jose::KeyType::OKP:
    return k.crv;
  }
  return {};
}

std::string who(const KeyRow& row) {
  return row.has_kid ? fmt::format("key #{} (kid {})", row.index, util::quote(row.kid, 200))
                     : fmt::format("key #{}", row.index);
}

void check_x5c(
    const util::Json& jwk, const Key& key, KeyRow& row, double now, std::vector<KeyWarning>& out) {
  auto it = jwk.find("x5c");
  if (it == jwk.end()) {
    return;
  }
  if (!it->is_array() || it->empty() || !(*it)[0].is_string()) {
    out.push_back(
        {row.index,
         "bad_x5c",
         fmt::format("{}: \"x5c\" is not a non-empty array of base64 strings", who(row))});
    return;
  }
  auto cert = parse_x5c_entry((*it)[0].get<std::string>(), fmt::format("{} x5c[0]", who(row)));
  if (!cert) {
    out.push_back({row.index, "bad_x5c", cert.error().message});
    return;
  }
  row.x5c_subject = cert->subject;
  row.x5c_not_before = cert->not_before;
  row.x5c_not_after = cert->not_after;
  if (cert->not_after < now) {
    out.push_back({row.index,
                   "cert_expired",
                   fmt::format("{}: the x5c certificate expired {} ({})",
                               who(row),
                               util::relative_phrase(cert->not_after, now),
                               util::format_instant(cert->not_after))});
  }
  if (cert->not_before > now) {
    out.push_back({row.index,
                   "cert_not_yet_valid",
                   fmt::format("{}: the x5c certificate is not valid before {} ({})",
                               who(row),
                               util::format_instant(cert->not_before),
                               util::relative_phrase(cert->not_before, now))});
  }
  if (key.pkey && !same_public_key(key.pkey.get(), cert->public_key.get())) {
    const char* members = key.kty == jose::KeyType::RSA  ? "n/e"
                          : key.kty == jose::KeyType::EC ? "x/y"
                                                         : "x";
    out.push_back(
        {row.index,
         "x5c_mismatch",
         fmt::format("{}: the x5c certificate holds a different public key than the JWK's {} "
                     "(RFC 7517 4.7 requires them to match)",
                     who(row),
                     members)});
  }
  if (jwk.contains("x5t#S256") && jwk["x5t#S256"].is_string()
      && jwk["x5t#S256"] != cert->x5t_s256) {
    out.push_back({row.index,
                   "x5t_mismatch",
                   fmt::format("{}: \"x5t#S256\" is not the SHA-256 of x5c[0]", who(row))});
  }
  if (jwk.contains("x5t") && jwk["x5t"].is_string() && jwk["x5t"] != cert->x5t) {
    out.push_back({row.index,
                   "x5t_mismatch",
                   fmt::format("{}: \"x5t\" is not the SHA-1 of x5c[0]", who(row))});
  }
}

} // namespace

JwksReport inspect_jwks(const util::Json& doc, const KeySet& set, double now) {
  JwksReport report;
  std::vector<const util::Json*> jwks;
  if (doc.is_object() && doc.contains("keys") && doc["keys"].is_array()) {
    for (const auto& j : doc["keys"]) {
      jwks.push_back(&j);
    }
  } else {
    jwks.push_back(&doc);
  }
  if (set.keys.empty()) {
    report.warnings.push_back(
        {0, "empty", "the set holds no keys: no token can be verified with it"});
  }
  std::map<std::string, std::vector<int>> by_kid;
  for (std::size_t i = 0; i < set.keys.size() && i < jwks.size(); ++i) {
    const Key& k = set.keys[i];
    const util::Json& jwk = *jwks[i];
    KeyRow row;
    row.index = static_cast<int>(i) + 1;
    row.kid = k.kid;
    row.has_kid = k.has_kid;
    row.kty = jwk.is_object() && jwk.contains("kty") && jwk["kty"].is_string()
                  ? jwk["kty"].get<std::string>()
                  : std::string();
    row.alg = k.alg;
    row.use = k.use;
    row.size = size_of(k);
    row.thumbprint = jwk.is_object() ? thumbprint(jwk) : std::string();
    row.problem = k.problem;
    if (k.has_kid) {
      by_kid[k.kid].push_back(row.index);
    } else {
      report.warnings.push_back(
          {row.index,
           "missing_kid",
           fmt::format("{} has no kid: a verifier that selects keys by the token's "
                       "kid cannot use it",
                       who(row))});
    }
    if (!k.problem.empty()) {
      report.warnings.push_back(
          {row.index,
           k.problem_code == "weak_key" ? "weak_key" : "unusable_key",
           fmt::format("{} cannot verify signatures: {}", who(row), k.problem)});
    } else if (k.kty == jose::KeyType::RSA && k.bits < kMinRsaBits) {
      report.warnings.push_back(
          {row.index,
           "weak_key",
           fmt::format("{} is a {}-bit RSA key; at least {} bits are required (RFC 7518 3.3)",
                       who(row),
                       k.bits,
                       kMinRsaBits)});
    }
    if (k.kty == jose::KeyType::oct) {
      report.warnings.push_back(
          {row.index,
           "symmetric_key",
           fmt::format("{} is a symmetric (oct) key: publishing it lets anyone mint tokens",
                       who(row))});
    } else if (jwk.is_object() && has_private_members(jwk)) {
      report.warnings.push_back(
          {row.index,
           "private_key",
           fmt::format("{} holds private key material (d, p, q, ...): a public JWKS must "
                       "only hold public members",
                       who(row))});
    }
    if (jwk.is_object()) {
      check_x5c(jwk, k, row, now, report.warnings);
    }
    report.rows.push_back(std::move(row));
  }
  for (const auto& [kid, indexes] : by_kid) {
    if (indexes.size() > 1) {
      std::vector<std::string> ns;
      for (int n : indexes) {
        ns.push_back(fmt::format("#{}", n));
      }
      report.warnings.push_back(
          {indexes.front(),
           "duplicate_kid",
           fmt::format("kid {} is used by keys {}: a token naming it cannot select one key",
                       util::quote(kid, 200),
                       fmt::join(ns, ", "))});
    }
  }
  return report;
}

} // namespace tollgate::core::keys
