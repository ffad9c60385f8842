#include "core/oidc/discovery.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using namespace tollgate::core::oidc;
using util::Json;

namespace {
Json complete(const std::string& iss) {
  return Json{{"issuer", iss},
              {"authorization_endpoint", iss + "/auth"},
              {"token_endpoint", iss + "/token"},
              {"jwks_uri", iss + "/certs"},
              {"response_types_supported", {"code"}},
              {"subject_types_supported", {"public"}},
              {"id_token_signing_alg_values_supported", {"RS256"}}};
}
bool has(const std::vector<Finding>& fs, const std::string& code) {
  return std::any_of(fs.begin(), fs.end(), [&](const Finding& f) { return f.code == code; });
}
} // namespace

TEST_CASE("oidc::discovery_target") {
  auto t = discovery_target("https://sso.example.com/realms/demo/", DocumentKind::openid);
  REQUIRE(t);
  CHECK(t->issuer == "https://sso.example.com/realms/demo/"); // compared as given (Discovery 4.3)
  CHECK(t->url == "https://sso.example.com/realms/demo/.well-known/openid-configuration");
  auto u = discovery_target("https://sso.example.com/realms/demo/.well-known/openid-configuration",
                            DocumentKind::uma2);
  REQUIRE(u);
  CHECK(u->issuer == "https://sso.example.com/realms/demo");
  CHECK(u->url == "https://sso.example.com/realms/demo/.well-known/uma2-configuration");
  CHECK_FALSE(discovery_target("sso.example.com", DocumentKind::openid));
  CHECK_FALSE(discovery_target("https://sso.example.com/?x=1", DocumentKind::openid));
}

TEST_CASE("oidc::check_document") {
  const std::string iss = "https://sso.example.com/realms/demo";
  CHECK(check_document(complete(iss), iss, DocumentKind::openid, false).empty());
  SUBCASE("issuer must match exactly") {
    CHECK(has(check_document(complete(iss), iss + "/", DocumentKind::openid, false),
              "issuer_mismatch"));
  }
  SUBCASE("required fields and types") {
    Json d = complete(iss);
    d.erase("jwks_uri");
    d["subject_types_supported"] = "public";
    auto fs = check_document(d, iss, DocumentKind::openid, false);
    CHECK(has(fs, "missing_field"));
    CHECK(has(fs, "bad_field"));
  }
  SUBCASE("plain http endpoints: loopback and --allow-http are fine") {
    Json d = complete(iss);
    d["userinfo_endpoint"] = "http://sso.example.com/userinfo";
    CHECK(has(check_document(d, iss, DocumentKind::openid, false), "insecure_endpoint"));
    CHECK_FALSE(has(check_document(d, iss, DocumentKind::openid, true), "insecure_endpoint"));
    const std::string local = "http://127.0.0.1:8080/realms/x";
    CHECK(check_document(complete(local), local, DocumentKind::openid, false).empty());
  }
  SUBCASE("legacy introspection name is a warning") {
    Json d = complete(iss);
    d["token_introspection_endpoint"] = iss + "/introspect";
    auto fs = check_document(d, iss, DocumentKind::openid, false);
    REQUIRE(fs.size() == 1);
    CHECK_FALSE(fs[0].error);
    Discovery disc;
    disc.fetched.doc = d;
    CHECK(disc.introspection_endpoint() == iss + "/introspect");
    d["introspection_endpoint"] = iss + "/new";
    disc.fetched.doc = d;
    CHECK(disc.introspection_endpoint() == iss + "/new");
  }
  SUBCASE("uma2") {
    Json d{{"issuer", iss}, {"token_endpoint", iss + "/t"}, {"jwks_uri", iss + "/c"}};
    auto fs = check_document(d, iss, DocumentKind::uma2, false);
    CHECK(fs.size() == 2); // permission_endpoint, resource_registration_endpoint
  }
}

TEST_CASE("oidc::require_endpoint refuses a mismatching document") {
  Discovery d;
  d.issuer = "https://a.example";
  d.fetched.doc = complete("https://b.example");
  d.findings = check_document(d.fetched.doc, d.issuer, DocumentKind::openid, false);
  auto r = require_endpoint(d, "token_endpoint");
  REQUIRE_FALSE(r);
  CHECK(r.error().cls == ErrorClass::network);
  d.issuer = "https://b.example";
  d.findings.clear();
  CHECK(*require_endpoint(d, "token_endpoint") == "https://b.example/token");
  CHECK(require_endpoint(d, "device_authorization_endpoint").error().code == "missing_endpoint");
}

TEST_CASE("oidc::keycloak_prefix_hint") {
  CHECK(keycloak_prefix_hint("https://h/auth/realms/x").find("try https://h/realms/x")
        != std::string::npos);
  CHECK(keycloak_prefix_hint("https://h/realms/x").find("try https://h/auth/realms/x")
        != std::string::npos);
  CHECK(keycloak_prefix_hint("https://accounts.example.com").empty());
}
