#include "core/oidc/jwks_source.hpp"
#include "fakes_http.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using namespace tollgate::core::oidc;
using tollgate::test::response;
using tollgate::test::ScriptedHttp;

TEST_CASE(
    "oidc::RefetchLimiter: first refetch allowed, then one per interval; a fetch restarts it") {
  double now = 100;
  RefetchLimiter l([&] { return now; }, 10);
  CHECK(l.allow("u"));
  CHECK_FALSE(l.allow("u"));
  CHECK(l.allow("v")); // per URL
  now += 9.9;
  CHECK_FALSE(l.allow("u"));
  now += 0.2;
  CHECK(l.allow("u"));
  l.note_fetch("w");
  CHECK_FALSE(l.allow("w"));
}

namespace {
struct Fixture {
  ScriptedHttp http;
  util::FixedClock clock{1000};
  cache::FetchContext ctx;
  double mono = 0;
  RefetchLimiter limiter{[this] { return mono; }, 10};
  int certs = 0;
  Fixture() {
    ctx.http = &http;
    ctx.clock = &clock;
    http.handler = [this](const http::Request& r) -> Result<http::Response> {
      if (r.url.find("openid-configuration") != std::string::npos) {
        return response(
            200, R"({"issuer":"https://idp.example/r","jwks_uri":"https://idp.example/r/certs"})");
      }
      ++certs;
      return response(200, R"({"keys":[]})");
    };
  }
};
} // namespace

TEST_CASE("oidc::JwksSource for an issuer, with an unknown-kid refetch") {
  Fixture f;
  auto src = JwksSource::for_issuer(f.ctx, "https://idp.example/r", &f.limiter);
  REQUIRE(src);
  CHECK(src->url() == "https://idp.example/r/certs");
  CHECK(src->issuer() == "https://idp.example/r");
  REQUIRE(src->keys());
  CHECK(f.certs == 1);
  REQUIRE(src->keys());
  CHECK(f.certs == 1); // loaded once
  // Just fetched from the network: a refetch now would gain nothing.
  CHECK_FALSE(*src->refresh_for_unknown_kid());
  f.mono += 11;
  CHECK(*src->refresh_for_unknown_kid());
  CHECK(f.certs == 2);
  CHECK_FALSE(*src->refresh_for_unknown_kid());
}

TEST_CASE("oidc::JwksSource: not a JWKS is a network error; offline never refetches") {
  Fixture f;
  f.http.handler = [](const http::Request&) -> Result<http::Response> {
    return response(200, R"({"kty":"RSA"})");
  };
  JwksSource src(f.ctx, "https://idp.example/certs", "", &f.limiter);
  auto k = src.keys();
  REQUIRE_FALSE(k);
  CHECK(k.error().cls == ErrorClass::network);
  CHECK(k.error().message.find("not a JWK set") != std::string::npos);
  f.ctx.policy.offline = true;
  CHECK_FALSE(*src.refresh_for_unknown_kid());
}
