#include "core/claims/claims.hpp"
#include "core/util/json.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tollgate::core;

namespace {
// Run the payload checks on `json` and return the recorder.
claims::Recorder check(const std::string& json, const claims::ClaimPolicy& p, double now) {
  static util::StrictJsonParser parser;
  simdjson::dom::element e;
  std::string why;
  REQUIRE(parser.parse(json.data(), json.size(), false, e, why));
  claims::Recorder rec(true);
  claims::check_claims(e, p, now, rec);
  return rec;
}
} // namespace

TEST_CASE("claims::media_type_equals") {
  CHECK(claims::media_type_equals("at+jwt", "application/AT+JWT"));
  CHECK(claims::media_type_equals("JWT", "jwt"));
  CHECK_FALSE(claims::media_type_equals("logout+jwt", "jwt"));
  CHECK_FALSE(claims::media_type_equals("application/", "application"));
}

TEST_CASE("claims::check_claims boundaries of exp, nbf, iat with leeway") {
  claims::ClaimPolicy p;
  CHECK(check(R"({"exp":100})", p, 99.9).first_code().empty());
  CHECK(check(R"({"exp":100})", p, 100).first_code()
        == "expired"); // on exp: expired (RFC 7519 4.1.4)
  p.leeway = 10;
  CHECK(check(R"({"exp":100})", p, 109.9).first_code().empty());
  CHECK(check(R"({"exp":100})", p, 110).first_code() == "expired");
  CHECK(check(R"({"exp":1000,"nbf":100})", p, 90).first_code().empty());
  CHECK(check(R"({"exp":1000,"nbf":100})", p, 89.9).first_code() == "not_yet_valid");
  CHECK(check(R"({"exp":1000,"iat":110})", p, 100).first_code().empty());
  CHECK(check(R"({"exp":1000,"iat":110.5})", p, 100).first_code() == "issued_in_future");
}

TEST_CASE("claims::check_claims reports every requested check, first failure first") {
  claims::ClaimPolicy p;
  p.iss = "https://a";
  p.aud = {"api"};
  p.required = {"sub", "sid"};
  p.roles = {"admin", "app:viewer"};
  p.scopes = {"read"};
  auto rec = check(R"({"exp":10,"iss":"https://a/","aud":"api","sub":"x","sid":null,
    "realm_access":{"roles":["admin"]},"resource_access":{"app":{"roles":["editor"]}},"scope":"read write"})",
                   p,
                   100);
  CHECK(rec.first_code() == "expired");
  std::string failed;
  for (const auto& c : rec.checks()) {
    if (c.status == claims::CheckStatus::fail) {
      failed += c.name + " ";
    }
  }
  CHECK(failed == "exp iss required roles ");
}

TEST_CASE("claims: client ids with colons use the last colon; scp arrays count as scopes") {
  claims::ClaimPolicy p;
  p.roles = {"urn:app:svc:reader"};
  p.scopes = {"b"};
  auto rec = check(
      R"({"exp":1000,"resource_access":{"urn:app:svc":{"roles":["reader"]}},"scp":["a","b"]})",
      p,
      1);
  CHECK(rec.first_code().empty());
}
