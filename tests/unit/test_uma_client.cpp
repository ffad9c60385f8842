// The UMA client pieces that do not need a server: the wire form of a uma-ticket request with each
// identity, the PAT cache, resource queries, path resolution, pushed claims and RPT permissions.
#include "core/uma/client.hpp"
#include "core/util/base64url.hpp"
#include "fakes_http.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using namespace tollgate::core::uma;
using tollgate::test::response;
using tollgate::test::ScriptedHttp;

namespace {
std::string hdr(const http::Request& r, const std::string& name) {
  for (const auto& h : r.headers) {
    if (h.name == name) {
      return h.value;
    }
  }
  return "";
}
} // namespace

TEST_CASE("uma::http_transport: Bearer identity sends no client authentication") {
  ScriptedHttp http;
  http.replies.push_back(response(200, R"({"result":true})"));
  Identity id;
  id.bearer = "user-token";
  id.client = oidc::Client{"rs", "secret", oidc::ClientAuth::basic};
  auto t = http_transport(http, "https://idp/token", id);
  auto r = t(base_form("rs", "", ""));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  REQUIRE(http.seen.size() == 1);
  const auto& req = http.seen[0];
  CHECK(req.method == "POST");
  CHECK(hdr(req, "Authorization") == "Bearer user-token");
  CHECK(req.body.find("client_secret") == std::string::npos);
  CHECK(req.body.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Auma-ticket")
        != std::string::npos);
}

TEST_CASE("uma::http_transport: client credentials when there is no token") {
  ScriptedHttp http;
  http.replies.push_back(response(403, R"({"error":"access_denied"})"));
  Identity id;
  id.client = oidc::Client{"cli", "s3cret", oidc::ClientAuth::post};
  auto t = http_transport(http, "https://idp/token", id);
  auto r = t(base_form("rs", "", "subj"));
  REQUIRE(r.ok());
  CHECK(r->status == 403); // an answer, judged by check()
  const auto& body = http.seen.at(0).body;
  CHECK(body.find("client_id=cli") != std::string::npos);
  CHECK(body.find("client_secret=s3cret") != std::string::npos);
  CHECK(body.find("subject_token=subj") != std::string::npos);

  Identity none;
  auto t2 = http_transport(http, "https://idp/token", none);
  CHECK(t2(base_form("rs", "", "")).error().code == "no_identity");
}

TEST_CASE("uma::PatSource reuses the PAT until shortly before it expires") {
  ScriptedHttp http;
  http.handler = [](const http::Request&) {
    return Result<http::Response>(
        response(200, R"({"access_token":"pat-1","token_type":"Bearer","expires_in":60})"));
  };
  util::FixedClock clock(1000);
  PatSource pat("https://idp/token", oidc::Client{"rs", "x", oidc::ClientAuth::basic}, clock);
  CHECK(pat.get(http).value() == "pat-1");
  clock.at = 1040;
  CHECK(pat.get(http).value() == "pat-1");
  CHECK(pat.fetches() == 1);
  clock.at = 1051; // within the 10 s margin of expiry
  CHECK(pat.get(http).value() == "pat-1");
  CHECK(pat.fetches() == 2);
  CHECK(http.seen.at(0).body.find("grant_type=client_credentials") != std::string::npos);
}

TEST_CASE("uma::resource_query_url and PathResolver (matchingUri, once per path)") {
  ResourceQuery q;
  q.uri = "/api/orders/17";
  q.matching_uri = true;
  q.name = "a b";
  q.deep = true;
  q.max = 5;
  CHECK(resource_query_url("https://idp/rs", q)
        == "https://idp/rs?name=a+b&uri=%2Fapi%2Forders%2F17&matchingUri=true&deep=true&max=5");
  CHECK(resource_query_url("https://idp/rs", ResourceQuery{}) == "https://idp/rs");

  ScriptedHttp http;
  http.handler = [](const http::Request& r) {
    if (r.method == "POST") {
      return Result<http::Response>(response(200, R"({"access_token":"pat","expires_in":300})"));
    }
    return Result<http::Response>(response(200, R"(["id-1"])"));
  };
  util::FixedClock clock(1000);
  PatSource pat("https://idp/token", oidc::Client{"rs", "x", oidc::ClientAuth::basic}, clock);
  PathResolver resolver("https://idp/rs", pat);
  CHECK(resolver.resolve(http, "/api/orders/17").value() == std::vector<std::string>{"id-1"});
  CHECK(resolver.resolve(http, "/api/orders/17").value() == std::vector<std::string>{"id-1"});
  CHECK(http.seen.size() == 2); // one PAT, one lookup
  CHECK(hdr(http.seen[1], "Authorization") == "Bearer pat");
  CHECK(http.seen[1].url.find("matchingUri=true") != std::string::npos);

  ScriptedHttp denied;
  denied.handler = [](const http::Request& r) {
    if (r.method == "POST") {
      return Result<http::Response>(response(200, R"({"access_token":"pat","expires_in":300})"));
    }
    return Result<http::Response>(response(403, R"({"error":"invalid_clientId"})"));
  };
  PathResolver r2("https://idp/rs", pat);
  auto bad = r2.resolve(denied, "/x");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().cls == ErrorClass::network);
}

TEST_CASE("uma::claim_token: NAME=VALUE pairs as base64url JSON of string arrays") {
  auto t = claim_token({"department=finance", "ip=10.0.0.1", "department=audit", "x=a=b"});
  REQUIRE(t.ok());
  std::string json;
  REQUIRE(util::b64url_decode_strict(*t, json));
  CHECK(json == R"({"department":["finance","audit"],"ip":["10.0.0.1"],"x":["a=b"]})");
  CHECK(claim_token({}).value().empty());
  CHECK(claim_token({"novalue"}).error().cls == ErrorClass::usage);
  CHECK(claim_token({"=x"}).error().cls == ErrorClass::usage);
}

TEST_CASE("uma::rpt_permissions reads authorization.permissions, and nothing from junk") {
  const std::string header = util::b64url_encode(R"({"alg":"RS256"})");
  const std::string payload = util::b64url_encode(
      R"({"authorization":{"permissions":[{"rsid":"1","rsname":"A","scopes":["view"]}]}})");
  const auto perms = rpt_permissions(header + "." + payload + ".c2ln");
  REQUIRE(perms.size() == 1);
  CHECK(perms[0]["rsname"] == "A");
  CHECK(rpt_permissions("not-a-jwt").empty());
  CHECK(rpt_permissions(header + "." + util::b64url_encode("{}") + ".c2ln").empty());
}
