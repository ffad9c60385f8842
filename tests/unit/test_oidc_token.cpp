#include "core/oidc/device.hpp"
#include "core/oidc/introspection.hpp"
#include "core/oidc/token.hpp"
#include "core/util/base64url.hpp"
#include "fakes_http.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using namespace tollgate::core::oidc;
using tollgate::test::response;
using tollgate::test::ScriptedHttp;

TEST_CASE("oidc::apply_client_auth") {
  http::Request req;
  http::Params form;
  SUBCASE("basic form-encodes id and secret first (RFC 6749 2.3.1)") {
    REQUIRE(apply_client_auth({"my client", "p:ss&", ClientAuth::basic}, req, form));
    REQUIRE(req.headers.size() == 1);
    CHECK(req.headers[0].value == "Basic " + util::b64_encode("my+client:p%3Ass%26"));
    CHECK(form.empty());
  }
  SUBCASE("post puts both in the form") {
    REQUIRE(apply_client_auth({"c", "s", ClientAuth::post}, req, form));
    CHECK(form == http::Params{{"client_id", "c"}, {"client_secret", "s"}});
    CHECK(req.headers.empty());
  }
  SUBCASE("none sends only the id") {
    REQUIRE(apply_client_auth({"c", "", ClientAuth::none}, req, form));
    CHECK(form == http::Params{{"client_id", "c"}});
  }
  SUBCASE("a secret is required for basic and post; an id always") {
    CHECK(apply_client_auth({"c", "", ClientAuth::basic}, req, form).error().code
          == "no_client_secret");
    CHECK(apply_client_auth({"", "s", ClientAuth::post}, req, form).error().code == "no_client_id");
  }
  CHECK(*parse_client_auth("client_secret_post") == ClientAuth::post);
  CHECK_FALSE(parse_client_auth("private_key_jwt"));
}

namespace {
GrantExtras extras(std::string scope) {
  GrantExtras x;
  x.scope = std::move(scope);
  return x;
}
} // namespace

TEST_CASE("oidc::request_token and its errors") {
  ScriptedHttp http;
  http.replies.push_back(response(
      200, R"({"access_token":"at","token_type":"Bearer","expires_in":"300","scope":"a b"})"));
  auto t = request_token(http,
                         "https://idp.example/token",
                         {"c", "s", ClientAuth::basic},
                         client_credentials_params(extras("a b")));
  REQUIRE(t);
  CHECK(t->access_token == "at");
  CHECK(t->expires_in == 300);
  CHECK(http.seen[0].method == "POST");
  CHECK(http.seen[0].body == "grant_type=client_credentials&scope=a+b");
  http.replies.push_back(response(
      401, R"({"error":"invalid_client","error_description":"client authentication failed"})"));
  auto bad = request_token(http,
                           "https://idp.example/token",
                           {"c", "s", ClientAuth::basic},
                           client_credentials_params(extras("")));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "invalid_client");
  CHECK(bad.error().cls == ErrorClass::network);
  CHECK(parse_token_response(util::Json::parse(R"({"token_type":"Bearer"})"), "u").error().code
        == "bad_token_response");
}

namespace {
// A fake clock for the poll loop: sleeping advances time.
struct FakeTime {
  double now = 0;
  std::vector<double> sleeps;
  PollClock clock() {
    return {[this] { return now; },
            [this](double s) -> Result<void> {
              sleeps.push_back(s);
              now += s;
              return {};
            }};
  }
};
DeviceAuthorization auth(std::int64_t expires_in, std::int64_t interval) {
  DeviceAuthorization a;
  a.device_code = "dc";
  a.user_code = "ABCD-EFGH";
  a.verification_uri = "https://idp.example/device";
  a.expires_in = expires_in;
  a.interval = interval;
  return a;
}
http::Response oauth(long status, const char* error) {
  return response(status, std::string(R"({"error":")") + error + R"("})");
}
} // namespace

TEST_CASE("oidc::poll_device_token follows RFC 8628 3.5") {
  ScriptedHttp http;
  FakeTime t;
  const Client c{"c", "s", ClientAuth::basic};
  SUBCASE("pending, slow_down (+5 s for every later poll), then the token") {
    http.replies.push_back(oauth(400, "authorization_pending"));
    http.replies.push_back(oauth(400, "slow_down"));
    http.replies.push_back(oauth(400, "authorization_pending"));
    http.replies.push_back(response(200, R"({"access_token":"at","token_type":"Bearer"})"));
    auto r = poll_device_token(http, "https://idp.example/token", c, auth(600, 2), t.clock());
    REQUIRE(r);
    CHECK(t.sleeps == std::vector<double>{2, 2, 7, 7});
    CHECK(http.seen[0].body
          == "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=dc");
  }
  SUBCASE("expired_token and access_denied end the loop") {
    http.replies.push_back(oauth(400, "expired_token"));
    CHECK(poll_device_token(http, "u", c, auth(600, 1), t.clock()).error().code == "expired_token");
    http.replies.push_back(oauth(400, "access_denied"));
    CHECK(poll_device_token(http, "u", c, auth(600, 1), t.clock()).error().code == "access_denied");
    http.replies.push_back(oauth(401, "invalid_client"));
    CHECK(poll_device_token(http, "u", c, auth(600, 1), t.clock()).error().code
          == "invalid_client");
  }
  SUBCASE("our own deadline: expires_in passes while pending") {
    for (int i = 0; i < 10; ++i) {
      http.replies.push_back(oauth(400, "authorization_pending"));
    }
    auto r = poll_device_token(http, "u", c, auth(10, 3), t.clock());
    CHECK(r.error().code == "expired_token");
    CHECK(http.seen.size() == 3); // at 3, 6, 9; the 4th wait ends past 10 s
  }
  SUBCASE("timeouts back off exponentially") {
    http.replies.push_back(network_error("timeout", "timed out"));
    http.replies.push_back(network_error("timeout", "timed out"));
    http.replies.push_back(response(200, R"({"access_token":"at"})"));
    REQUIRE(poll_device_token(http, "u", c, auth(600, 1), t.clock()));
    CHECK(t.sleeps == std::vector<double>{1, 2, 4});
  }
  SUBCASE("an interval of 0 still waits a second") {
    http.replies.push_back(response(200, R"({"access_token":"at"})"));
    REQUIRE(poll_device_token(http, "u", c, auth(600, 0), t.clock()));
    CHECK(t.sleeps == std::vector<double>{1});
  }
}

TEST_CASE("oidc::parse_device_authorization") {
  auto d = parse_device_authorization(
      util::Json::parse(
          R"({"device_code":"d","user_code":"u","verification_uri":"https://v","expires_in":600})"),
      "e");
  REQUIRE(d);
  CHECK(d->interval == 5); // RFC 8628 3.2 default
  CHECK_FALSE(parse_device_authorization(
      util::Json::parse(R"({"device_code":"d","user_code":"u","verification_uri":"v"})"), "e"));
  CHECK_FALSE(parse_device_authorization(
      util::Json::parse(
          R"({"device_code":"d","user_code":"u","verification_uri":"v","expires_in":1,"interval":"5"})"),
      "e"));
}

TEST_CASE("oidc::introspect and userinfo") {
  ScriptedHttp http;
  http.replies.push_back(response(200, R"({"active":false})"));
  auto i = introspect(
      http, "https://idp.example/introspect", {"rs", "s", ClientAuth::post}, "tok", "access_token");
  REQUIRE(i);
  CHECK_FALSE(i->active);
  CHECK(http.seen[0].body == "token=tok&token_type_hint=access_token&client_id=rs&client_secret=s");
  http.replies.push_back(response(200, R"({"active":"yes"})"));
  CHECK(introspect(http, "u", {"rs", "s", ClientAuth::post}, "t", "").error().code
        == "bad_introspection");
  http.replies.push_back(
      response(401,
               "",
               "",
               {{"WWW-Authenticate",
                 R"(Bearer realm="x", error="invalid_token", error_description="expired")"}}));
  auto u = userinfo(http, "https://idp.example/userinfo", "tok");
  REQUIRE_FALSE(u);
  CHECK(u.error().cls == ErrorClass::verdict);
  CHECK(u.error().code == "invalid_token");
  CHECK(http.seen.back().headers[1].value == "Bearer tok");
  auto c = parse_bearer_challenge(R"(Bearer error="invalid_token", error_description="a \"q\"")");
  CHECK(c.error == "invalid_token");
  CHECK(c.description == "a \"q\"");
}
