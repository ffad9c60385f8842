#include "core/keys/jwk.hpp"
#include "core/keys/select.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using util::Json;

TEST_CASE("keys::thumbprint matches RFC 7638 3.1") {
  const Json jwk = Json::parse(
      R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})");
  CHECK(keys::thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  CHECK(keys::thumbprint(Json::parse(R"({"kty":"EC","crv":"P-256"})")).empty());
}

TEST_CASE("keys::key_from_jwk keeps unusable keys with the reason") {
  auto reason = [](const char* text) {
    return keys::key_from_jwk(Json::parse(text), "k").problem;
  };
  CHECK(reason(R"({"kty":"RSA","e":"AQAB"})").find("\"n\" is missing") != std::string::npos);
  CHECK(reason(R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})").find("32 bytes")
        != std::string::npos);
  CHECK(reason(R"({"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"})").find("not supported")
        != std::string::npos);
  CHECK(reason(R"({"kty":"OKP","crv":"X25519","x":"AAAA"})").find("key-agreement")
        != std::string::npos);
  CHECK(reason(R"({"kty":"oct","k":""})").find("empty") != std::string::npos);
  CHECK(reason(R"({"kty":"oct","k":"a=="})").find("base64url") != std::string::npos);
  CHECK(reason(R"({"kty":"foo"})").find("not supported") != std::string::npos);
  CHECK(reason(R"({"kid":"x"})").find("kty") != std::string::npos);
  CHECK(reason(R"({"kty":"oct","k":"AAAA","key_ops":"verify"})").find("not an array")
        != std::string::npos);
}

TEST_CASE("keys::select_keys: exact kid, ambiguity, and fit without kid") {
  auto set = keys::keyset_from_json(Json::parse(R"({"keys":[
    {"kty":"oct","kid":"a","alg":"HS256","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
    {"kty":"oct","kid":"b","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
    {"kty":"oct","kid":"b","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
    {"kty":"oct","kid":"c","use":"enc","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]})"),
                                    "test set");
  REQUIRE(set.ok());
  const auto* hs256 = jose::find_alg("HS256");
  std::string_view a = "a", b = "b", c = "c", A = "A";
  CHECK(keys::select_keys(*set, *hs256, &a, false).candidates.size() == 1);
  CHECK(keys::select_keys(*set, *hs256, &A, false).code == "key_not_found");
  CHECK(keys::select_keys(*set, *hs256, &b, false).message.find("ambiguous") != std::string::npos);
  CHECK(keys::select_keys(*set, *hs256, &c, false).code == "key_mismatch");
  // Without a kid: a and the two b keys fit; c (use enc) does not.
  CHECK(keys::select_keys(*set, *hs256, nullptr, false).candidates.size() == 3);
  // HS384 needs 48 bytes: the 32-byte secrets are weak (a is bound to HS256 anyway).
  const auto* hs384 = jose::find_alg("HS384");
  CHECK(keys::select_keys(*set, *hs384, &a, false).code == "key_mismatch");
  std::string code;
  CHECK(keys::fit_problem(set->keys[1], *hs384, false, code).find("48 bytes") != std::string::npos);
  CHECK(code == "weak_key");
  CHECK(keys::fit_problem(set->keys[1], *hs384, true, code).empty());
}
