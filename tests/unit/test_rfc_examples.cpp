// The published examples of RFC 7515 appendix A and RFC 8037 appendix A
// (tests/data/rfc/jose-examples.json; sources recorded in each vector's note).
#include "core/jose/sign.hpp"
#include "core/jose/signature.hpp"
#include "core/keys/jwk.hpp"
#include "core/util/base64url.hpp"
#include "core/util/json.hpp"
#include "core/verify/verifier.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace tollgate::core;

namespace {

util::Json vectors() {
  std::ifstream in(std::string(TOLLGATE_TEST_DATA) + "/rfc/jose-examples.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return util::Json::parse(ss.str())["vectors"];
}

keys::KeySet public_set(const util::Json& jwk) {
  util::Json pub = jwk.value("kty", "") == "oct" ? jwk : keys::public_part(jwk);
  auto set = keys::keyset_from_json(pub, "the RFC key");
  REQUIRE(set.ok());
  return std::move(set).value();
}

} // namespace

TEST_CASE("RFC 7515 A.1-A.4 and RFC 8037 A.4 verify; A.5 (alg none) does not") {
  int checked = 0;
  for (const auto& v : vectors()) {
    const std::string name = v["name"];
    CAPTURE(name);
    const std::string jws = v["jws"];
    if (v["jwk"].is_null()) {
      keys::KeySet any = public_set(util::Json::parse(
          R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})"));
      verify::Verifier verifier(any, {});
      verify::Outcome out;
      verifier.verify(jws, 0, true, out);
      CHECK_FALSE(out.valid);
      CHECK(out.error_code == "unsupported_alg");
      ++checked;
      continue;
    }
    const keys::KeySet set = public_set(v["jwk"]);
    verify::Policy policy;
    policy.jws_only = !v.value("payload_json", false);
    verify::Verifier verifier(set, policy);
    verify::Outcome out;
    const double at = v.contains("exp") ? v["exp"].get<double>() - 60 : 0;
    verifier.verify(jws, at, true, out);
    CHECK_MESSAGE(out.valid, out.error_code, ": ", out.error_message);
    if (v.contains("exp")) {
      // The claims are checked too: one second after exp the same token is expired.
      verifier.verify(jws, v["exp"].get<double>() + 1, true, out);
      CHECK(out.error_code == "expired");
    }
    if (v.contains("thumbprint")) {
      CHECK(keys::thumbprint(v["jwk"]) == v["thumbprint"].get<std::string>());
    }
    ++checked;
  }
  CHECK(checked == 6);
}

TEST_CASE("signing the RFC inputs with the RFC keys reproduces the deterministic signatures") {
  for (const auto& v : vectors()) {
    const std::string alg = v["alg"];
    if (alg != "HS256" && alg != "RS256" && alg != "EdDSA") {
      continue; // ECDSA signatures are randomized
    }
    CAPTURE(v["name"].get<std::string>());
    const std::string jws = v["jws"];
    const std::string input = jws.substr(0, jws.rfind('.'));
    keys::Key key = keys::key_from_jwk(v["jwk"], "rfc");
    REQUIRE(key.problem.empty());
    const jose::AlgInfo* info = jose::find_alg(alg);
    auto sig = info->kty == jose::KeyType::oct ? jose::sign_with_secret(*info, key.secret, input)
                                               : jose::sign_with_key(*info, key.pkey.get(), input);
    REQUIRE(sig.ok());
    std::string expected;
    REQUIRE(util::b64url_decode_strict(jws.substr(jws.rfind('.') + 1), expected));
    CHECK(*sig == expected);
  }
}
