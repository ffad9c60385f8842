#include "core/jose/sign.hpp"

#include "core/jose/signature.hpp"
#include "core/keys/select.hpp"
#include "core/util/base64url.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::jose {

Result<std::string> sign_token(const util::Json& header,
                               const util::Json& claims,
                               const keys::Key& key,
                               std::string_view alg_name,
                               bool allow_weak) {
  const AlgInfo* alg = find_alg(alg_name);
  if (alg == nullptr) {
    return usage_error("bad_alg", fmt::format("--alg {}: not a supported JWS algorithm", alg_name));
  }
  // fit_problem asks whether the key may verify; for signing, key_ops must allow "sign" instead.
  keys::Key probe_key;
  probe_key.kty = key.kty;
  probe_key.crv = key.crv;
  probe_key.bits = key.bits;
  probe_key.alg = key.alg;
  probe_key.kid = key.kid;
  probe_key.has_kid = key.has_kid;
  probe_key.use = key.use;
  probe_key.has_use = key.has_use;
  probe_key.secret = key.secret;
  probe_key.label = key.label;
  probe_key.problem = key.problem;
  probe_key.problem_code = key.problem_code;
  if (key.has_key_ops
      && std::find(key.key_ops.begin(), key.key_ops.end(), "sign") == key.key_ops.end()) {
    return usage_error("bad_key",
                       fmt::format("{} has key_ops without \"sign\"", keys::describe_key(key)));
  }
  std::string code;
  std::string why = keys::fit_problem(probe_key, *alg, allow_weak, code);
  if (!why.empty()) {
    return usage_error(code, why);
  }
  if (!key.is_private) {
    return usage_error(
        "bad_key",
        fmt::format("{} is a public key; signing needs the private key", keys::describe_key(key)));
  }
  const std::string input =
      util::b64url_encode(header.dump()) + "." + util::b64url_encode(claims.dump());
  Result<std::string> sig = alg->kty == KeyType::oct ? sign_with_secret(*alg, key.secret, input)
                                                     : sign_with_key(*alg, key.pkey.get(), input);
  if (!sig) {
    return std::move(sig).error();
  }
  return input + "." + util::b64url_encode(*sig);
}

} // namespace tollgate::core::jose
