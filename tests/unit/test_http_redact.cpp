#include "core/http/redact.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core::http;

TEST_CASE("http::redact_header_line") {
  CHECK(redact_header_line("Authorization: Basic dXNlcjpwYXNz")
        == "Authorization: Basic [redacted]");
  CHECK(redact_header_line("authorization: Bearer eyJhbGciOiJub25lIn0.e30.")
        == "authorization: Bearer [redacted]");
  CHECK(redact_header_line("Proxy-Authorization: Basic abc")
        == "Proxy-Authorization: Basic [redacted]");
  CHECK(redact_header_line("Set-Cookie: _session=abc; path=/") == "Set-Cookie: [redacted]");
  CHECK(redact_header_line("Content-Type: application/json") == "Content-Type: application/json");
  CHECK(redact_header_line("GET /cb?code=abc&state=xyz HTTP/1.1")
        == "GET /cb?code=[redacted]&state=xyz HTTP/1.1");
  CHECK(redact_header_line("GET /x HTTP/1.1") == "GET /x HTTP/1.1");
}

TEST_CASE("http::redact_form") {
  CHECK(redact_form("grant_type=password&username=alice&password=s3cr%26t&client_secret=x")
        == "grant_type=password&username=alice&password=[redacted]&client_secret=[redacted]");
  CHECK(redact_form("refresh_token=a&device_code=b&access_token=c&token=d&code_verifier=e")
        == "refresh_token=[redacted]&device_code=[redacted]&access_token=[redacted]&token=["
           "redacted]&code_verifier=[redacted]");
  CHECK(redact_form("client_id=c&scope=openid") == "client_id=c&scope=openid");
  CHECK(redact_form("Client_Secret=x") == "Client_Secret=[redacted]");
}

TEST_CASE("http::redact_json_text") {
  CHECK(
      redact_json_text(
          R"({"access_token":"a","refresh_token":"b","expires_in":300,"nested":{"id_token":"c"}})")
      == R"({"access_token":"[redacted]","refresh_token":"[redacted]","expires_in":300,"nested":{"id_token":"[redacted]"}})");
  CHECK(redact_json_text(R"({"device_code":"d","user_code":"ABCD"})")
        == R"({"device_code":"[redacted]","user_code":"ABCD"})");
  CHECK(redact_json_text("not json eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig tail")
        == "not json [redacted] tail");
}

TEST_CASE("http::redact_jwts") {
  CHECK(redact_jwts("a eyJ0.eyJ1.c b") == "a [redacted] b");
  CHECK(redact_jwts("eyJonly") == "eyJonly"); // no dots: not a token
  CHECK(redact_jwts("five eyJa.b.c.d.e parts") == "five [redacted] parts");
}
