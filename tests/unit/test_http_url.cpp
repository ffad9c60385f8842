#include "core/http/url.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core::http;

TEST_CASE("http::parse_url") {
  SUBCASE("parts of an https URL") {
    auto u = parse_url("HTTPS://User:pw@SSO.Example.com:8443/realms/x?a=b#frag");
    REQUIRE(u);
    CHECK(u->scheme == "https");
    CHECK(u->userinfo == "User:pw");
    CHECK(u->host == "sso.example.com");
    CHECK(u->port == "8443");
    CHECK(u->path == "/realms/x");
    CHECK(u->query == "a=b");
    CHECK(u->str() == "https://sso.example.com:8443/realms/x?a=b");
    CHECK(u->origin() == "https://sso.example.com:8443");
  }
  SUBCASE("IPv6 and default ports") {
    auto u = parse_url("http://[::1]:80/x");
    REQUIRE(u);
    CHECK(u->ipv6);
    CHECK(u->host == "::1");
    CHECK(u->origin() == "http://[::1]");
  }
  SUBCASE("refusals") {
    CHECK_FALSE(parse_url("ftp://x/"));
    CHECK_FALSE(parse_url("sso.example.com/realms/x"));
    CHECK_FALSE(parse_url("https:///x"));
    CHECK_FALSE(parse_url("https://a b/"));
    CHECK_FALSE(parse_url("https://x:99999/"));
    CHECK_FALSE(parse_url("https://x:8a/"));
    CHECK_FALSE(parse_url("https://[::1/"));
    CHECK(parse_url("file:///etc/passwd").error().message.find("only http:// and https://")
          != std::string::npos);
  }
}

TEST_CASE("http::resolve_reference") {
  auto base = *parse_url("https://idp.example/a/b/c?q=1");
  CHECK(resolve_reference(base, "/x")->str() == "https://idp.example/x");
  CHECK(resolve_reference(base, "d")->str() == "https://idp.example/a/b/d");
  CHECK(resolve_reference(base, "../d?z")->str() == "https://idp.example/a/d?z");
  CHECK(resolve_reference(base, "//other.example/p")->str() == "https://other.example/p");
  CHECK(resolve_reference(base, "http://plain.example/")->str() == "http://plain.example/");
  CHECK(resolve_reference(base, "?only")->str() == "https://idp.example/a/b/c?only");
}

TEST_CASE("http::is_loopback_host") {
  for (const char* u :
       {"http://127.0.0.1/", "http://127.8.9.10:1/", "http://[::1]/", "http://localhost:8080/"}) {
    CHECK(is_loopback_host(*parse_url(u)));
  }
  for (const char* u : {"http://128.0.0.1/",
                        "http://localhost.example.com/",
                        "http://[::2]/",
                        "http://10.0.0.1/"}) {
    CHECK_FALSE(is_loopback_host(*parse_url(u)));
  }
}

TEST_CASE("http::form_encode and form_decode") {
  Params p{{"grant_type", "client_credentials"}, {"scope", "openid profile"}, {"x", "a&b=c/ü"}};
  const std::string enc = form_encode(p);
  CHECK(enc == "grant_type=client_credentials&scope=openid+profile&x=a%26b%3Dc%2F%C3%BC");
  CHECK(form_decode(enc) == p);
  CHECK(form_decode("a=%zz&b") == Params{{"a", "%zz"}, {"b", ""}});
  CHECK(with_query("https://x/auth", {{"a", "1"}}) == "https://x/auth?a=1");
  CHECK(with_query("https://x/auth?k=v", {{"a", "1"}}) == "https://x/auth?k=v&a=1");
}
