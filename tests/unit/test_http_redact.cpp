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

TEST_CASE("http::redact_header_line over HTTP/2: lower case and pseudo-headers") {
  CHECK(redact_header_line("cookie: a=b") == "cookie: [redacted]");
  CHECK(redact_header_line("DPoP: eyJhbGciOiJub25lIn0.e30.") == "DPoP: [redacted]");
  CHECK(redact_header_line(":path: /token?code=abc&state=s")
        == ":path: /token?code=[redacted]&state=s");
  CHECK(redact_header_line(":method: POST") == ":method: POST");
  CHECK(redact_header_line("POST /token?password=p HTTP/2")
        == "POST /token?password=[redacted] HTTP/2");
  CHECK(redact_header_line("HTTP/2 200 ") == "HTTP/2 200 ");
  CHECK(redact_header_line("location: https://app/cb?code=abc")
        == "location: https://app/cb?code=[redacted]");
}

TEST_CASE("http::redact_info_line") {
  SUBCASE("libcurl 7.88: h2h3 [name: value]") {
    CHECK(redact_info_line("h2h3 [authorization: Basic Y2lkOlNFQ1JFVDE=]")
          == "h2h3 [authorization: Basic [redacted]]");
    CHECK(redact_info_line("h2h3 [:path: /token?code=Q1]")
          == "h2h3 [:path: /token?code=[redacted]]");
    CHECK(redact_info_line("h2h3 [user-agent: tollgate/1]") == "h2h3 [user-agent: tollgate/1]");
    CHECK(redact_info_line("h2h3 [cookie: a=b]x]") == "h2h3 [cookie: [redacted]]");
  }
  SUBCASE("libcurl 8.x: [HTTP/2] [1] [name: value]") {
    CHECK(redact_info_line("[HTTP/2] [1] [Authorization: Bearer abc.def]")
          == "[HTTP/2] [1] [Authorization: Bearer [redacted]]");
    CHECK(redact_info_line("[HTTP/2] [1] OPENED stream for https://idp/t?refresh_token=r&a=b")
          == "[HTTP/2] [1] OPENED stream for https://idp/t?refresh_token=[redacted]&a=b");
  }
  SUBCASE("free text") {
    CHECK(redact_info_line("Connected to 127.0.0.1 (127.0.0.1) port 80 (#0)")
          == "Connected to 127.0.0.1 (127.0.0.1) port 80 (#0)");
    CHECK(redact_info_line("sending authorization: Basic abc")
          == "sending authorization: Basic [redacted]");
    CHECK(redact_info_line("password=hunter2; user=x") == "password=[redacted]; user=x");
    CHECK(redact_info_line("token eyJhbGciOiJub25lIn0.e30. seen") == "token [redacted] seen");
    CHECK(redact_info_line("Using Stream ID: 1") == "Using Stream ID: 1");
  }
}

TEST_CASE("http::SecretValues scrubs what requests carried, whatever the syntax") {
  SecretValues s;
  s.add_request({"Authorization: Basic Y2lkOlNFQ1JFVDE=", "Accept: application/json"},
                "grant_type=password&password=p%26ss-w0rd&username=alice",
                false);
  CHECK(s.scrub("x Y2lkOlNFQ1JFVDE= y") == "x [redacted] y");
  CHECK(s.scrub("pw p&ss-w0rd / p%26ss-w0rd") == "pw [redacted] / [redacted]");
  CHECK(s.scrub("alice application/json") == "alice application/json");
  CHECK(s.scrub("[redacted]") == "[redacted]");
  SecretValues j;
  j.add_request(
      {"Content-Type: application/json"}, R"({"rpt":"RPT-VALUE","n":{"token":"TOK1"}})", true);
  CHECK(j.scrub("RPT-VALUE TOK1") == "[redacted] [redacted]");
  j.add("ab"); // too short to scrub everywhere
  CHECK(j.scrub("ab") == "ab");
}
