#include "core/keys/jwk.hpp"
#include "core/keys/jwks_report.hpp"
#include "core/keys/x509.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using util::Json;

namespace {
std::vector<std::string> codes(const keys::JwksReport& r) {
  std::vector<std::string> out;
  for (const auto& w : r.warnings) {
    out.push_back(std::to_string(w.index) + ":" + w.code);
  }
  return out;
}
} // namespace

TEST_CASE("keys::inspect_jwks") {
  const Json doc = Json::parse(R"({"keys":[
    {"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA","kid":"a"},
    {"kty":"oct","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXI","kid":"a"},
    {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
    {"kty":"EC","crv":"P-256","kid":"bad-x5c","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","x5c":["AAAA"]}
  ]})");
  auto set = keys::keyset_from_json(doc, "test");
  REQUIRE(set);
  const auto r = keys::inspect_jwks(doc, *set, 0);
  REQUIRE(r.rows.size() == 4);
  CHECK(r.rows[2].size == "P-256");
  CHECK(r.rows[2].thumbprint
        == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"); // RFC 7638 3.1 style EC example
  const auto c = codes(r);
  for (const char* want :
       {"1:symmetric_key", "2:symmetric_key", "1:duplicate_kid", "3:missing_kid", "4:bad_x5c"}) {
    CHECK_MESSAGE(std::find(c.begin(), c.end(), want) != c.end(), want);
  }
  const auto empty = keys::inspect_jwks(Json::parse(R"({"keys":[]})"), keys::KeySet{}, 0);
  REQUIRE(empty.warnings.size() == 1);
  CHECK(empty.warnings[0].code == "empty");
}

TEST_CASE("keys::parse_x5c_entry refuses what is not a certificate") {
  CHECK(keys::parse_x5c_entry("not base64!", "x5c[0]").error().message
        == "x5c[0] is not standard base64 (RFC 7517 4.7)");
  CHECK(keys::parse_x5c_entry("AAAA", "x5c[0]").error().message
        == "x5c[0]: not a DER X.509 certificate");
}
