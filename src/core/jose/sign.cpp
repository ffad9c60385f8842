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
  std::string code;
  std::string why = keys::fit_problem(key, *alg, allow_weak, code, keys::Purpose::sign);
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
