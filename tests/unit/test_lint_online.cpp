// The online rules against a scripted probe (the network core plugs a real one in later).
#include "core/lint/lint.hpp"
#include "core/lint/online.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace tollgate::core;
using namespace tollgate::core::lint;

namespace {

class FakeProbe : public LintOnlineProbe {
public:
  std::map<std::string, util::Json> docs;
  std::vector<std::string> asked;
  Result<util::Json> fetch_json(const std::string& url) override {
    asked.push_back(url);
    auto it = docs.find(url);
    if (it == docs.end()) {
      return network_error("http_status", url + ": HTTP 404");
    }
    return it->second;
  }
};

const char* kRsaJwks = R"({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
  "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
  "e": "AQAB"}]})";

const char* kKrakend = R"({"version": 3, "endpoints": [
  {"endpoint": "/a", "backend": [{"url_pattern": "/a"}], "extra_config": {"auth/validator": {
    "alg": "ALG", "jwk_url": "https://sso.example.com/realms/shop/protocol/openid-connect/certs",
    "cache": true, "failed_jwk_key_cooldown": "10s", "issuer": "ISS", "audience": ["a"]}}},
  {"endpoint": "/b", "backend": [{"url_pattern": "/b"}], "extra_config": {"auth/validator": {
    "alg": "ALG", "jwk_url": "https://sso.example.com/realms/shop/protocol/openid-connect/certs",
    "cache": true, "failed_jwk_key_cooldown": "10s", "issuer": "ISS", "audience": ["a"]}}}]})";

std::string krakend(std::string alg, std::string iss) {
  std::string s = kKrakend;
  for (auto [from, to] : {std::pair{std::string("ALG"), alg}, std::pair{std::string("ISS"), iss}}) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from)) {
      s.replace(p, from.size(), to);
    }
  }
  return s;
}

std::vector<std::string> ids(const FileReport& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) {
    out.emplace_back(rule_info(f.rule).id);
  }
  return out;
}

constexpr const char* kCerts = "https://sso.example.com/realms/shop/protocol/openid-connect/certs";
constexpr const char* kDisc =
    "https://sso.example.com/realms/shop/.well-known/openid-configuration";

} // namespace

TEST_CASE("lint::online KrakenD: JWKS and issuer") {
  FakeProbe probe;
  probe.docs[kCerts] = util::Json::parse(kRsaJwks);
  probe.docs[kDisc] = {{"issuer", "https://sso.example.com/realms/shop"}};
  LintOptions opts;
  opts.probe = &probe;
  SUBCASE("all good, one fetch per URL") {
    auto r = lint_text("k.json", krakend("RS256", "https://sso.example.com/realms/shop"), opts);
    CHECK(r.findings.empty());
    CHECK(probe.asked.size() == 2);
  }
  SUBCASE("no key for ES256") {
    auto r = lint_text("k.json", krakend("ES256", "https://sso.example.com/realms/shop"), opts);
    CHECK(ids(r)
          == std::vector<std::string>{"online/jwks-no-usable-key", "online/jwks-no-usable-key"});
    CHECK(r.findings[0].pointer == "/endpoints/0/extra_config/auth~1validator/jwk_url");
  }
  SUBCASE("issuer with a trailing slash") {
    auto r = lint_text("k.json", krakend("RS256", "https://sso.example.com/realms/shop/"), opts);
    REQUIRE(r.findings.size() == 2);
    CHECK(ids(r)[0] == "online/issuer-mismatch");
    CHECK(r.findings[0].message.find("trailing slash") != std::string::npos);
  }
  SUBCASE("unreachable JWKS counts as an online failure") {
    probe.docs.erase(kCerts);
    auto r = lint_text("k.json", krakend("RS256", "https://sso.example.com/realms/shop"), opts);
    CHECK(ids(r) == std::vector<std::string>{"online/jwks-unreachable", "online/jwks-unreachable"});
    CHECK(r.online_failures == 1);
  }
  SUBCASE("without a probe nothing is fetched") {
    auto r = lint_text("k.json", krakend("ES256", "https://x/"), LintOptions{});
    CHECK(r.findings.empty());
  }
}

TEST_CASE("lint::online APISIX: discovery, UMA2 and explicit endpoints") {
  FakeProbe probe;
  const std::string oidc = "https://sso.example.com/realms/shop/.well-known/openid-configuration";
  probe.docs[oidc] = {
      {"issuer", "https://sso.example.com/realms/shop"},
      {"token_endpoint", "https://sso.example.com/realms/shop/protocol/openid-connect/token"}};
  LintOptions opts;
  opts.probe = &probe;
  auto route = [&](std::string extra) {
    return "uri: /a\nupstream_id: 1\nplugins:\n  authz-keycloak:\n    client_id: c\n    "
           "client_secret: $env://S\n"
           "    discovery: "
           + oidc + "\n    resource_registration_endpoint: https://sso.example.com/rr\n" + extra;
  };
  auto r = lint_text("r.yaml",
                     route("    lazy_load_paths: true\n    token_endpoint: https://other/token\n"),
                     opts);
  CHECK(ids(r) == std::vector<std::string>{"online/endpoint-mismatch"});
  CHECK(r.findings[0].pointer == "/plugins/authz-keycloak/token_endpoint");
  probe.docs.clear();
  auto down = lint_text("r.yaml", route("    permissions: [a]\n"), opts);
  CHECK(ids(down) == std::vector<std::string>{"online/discovery-unreachable"});
}

TEST_CASE("lint::discovery_url_for and issuer_difference") {
  CHECK(discovery_url_for(kCerts, "") == kDisc);
  CHECK(discovery_url_for("https://x/jwks.json", "https://idp/")
        == "https://idp/.well-known/openid-configuration");
  CHECK(discovery_url_for("https://x/jwks.json", "").empty());
  CHECK(issuer_difference("https://a/realms/r/", "https://a/realms/r") == "trailing slash");
  CHECK(issuer_difference("https://a/realms/r", "https://a/auth/realms/r").find("/auth")
        != std::string::npos);
  CHECK(issuer_difference("http://a/realms/r", "https://a/realms/r") == "http vs https");
  CHECK(issuer_difference("https://a/realms/r", "https://b/realms/q").empty());
}
