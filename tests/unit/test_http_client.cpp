#include "core/http/client.hpp"
#include "fakes_http.hpp"

#include <doctest/doctest.h>
#include <openssl/x509.h>

using namespace tollgate::core;
using namespace tollgate::core::http;
using tollgate::test::ScriptedTransport;

namespace {

struct Harness {
  ScriptedTransport* transport = nullptr;
  int factory_calls = 0;
  std::vector<std::string> trace;
  std::unique_ptr<HttpClient> client;

  explicit Harness(std::function<void(Transfer&)> respond, ClientOptions o = {}) {
    o.trace = [this](std::string_view l) {
      trace.emplace_back(l);
    };
    client = make_client(
        o, [this, respond](const TransportConfig&) -> Result<std::unique_ptr<Transport>> {
          ++factory_calls;
          auto t = std::make_unique<ScriptedTransport>();
          t->respond = respond;
          transport = t.get();
          return std::unique_ptr<Transport>(std::move(t));
        });
  }
};

void redirect_to(Transfer& t, long status, std::string location) {
  t.status = status;
  t.response_headers = {{"Location", std::move(location)}};
}

Request get(std::string url, std::vector<Header> headers = {}) {
  Request r;
  r.url = std::move(url);
  r.headers = std::move(headers);
  return r;
}

void ok_json(Transfer& t) {
  t.status = 200;
  t.response_headers = {{"Content-Type", "application/json"}};
  t.response_body = "{}";
}

} // namespace

TEST_CASE("http::check_url refuses plain http off loopback before anything connects") {
  Harness h(ok_json);
  auto r = h.client->perform(get("http://sso.example.com/x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().cls == ErrorClass::usage);
  CHECK(r.error().message.find("--allow-http") != std::string::npos);
  CHECK(h.factory_calls == 0); // the module was never needed
  CHECK(h.client->perform(get("http://127.0.0.1:9/x")).ok());
  ClientOptions allow;
  allow.allow_http = true;
  CHECK(check_url("http://sso.example.com/x", allow).ok());
}

TEST_CASE("http client follows at most 3 redirects and never from https to http") {
  SUBCASE("three hops are fine, the fourth is refused") {
    Harness h([](Transfer& t) {
      const char last = t.url.back();
      if (last >= '1' && last <= '9') {
        redirect_to(t, 302, std::string("/hop") + static_cast<char>(last - 1));
      } else {
        ok_json(t);
      }
    });
    auto ok = h.client->perform(get("https://idp.example/hop3"));
    REQUIRE(ok);
    CHECK(ok->url == "https://idp.example/hop0");
    auto bad = h.client->perform(get("https://idp.example/hop4"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "too_many_redirects");
    CHECK(bad.error().cls == ErrorClass::network);
  }
  SUBCASE("a loop") {
    Harness h([](Transfer& t) {
      redirect_to(t, 301, t.url.find("/a") != std::string::npos ? "/b" : "/a");
    });
    auto r = h.client->perform(get("https://idp.example/a"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "redirect_loop");
  }
  SUBCASE("https to http") {
    ClientOptions o;
    o.allow_http = true;
    Harness h([](Transfer& t) { redirect_to(t, 302, "http://idp.example/plain"); }, o);
    auto r = h.client->perform(get("https://idp.example/x"));
    REQUIRE_FALSE(r);
    CHECK(r.error().message
          == "https://idp.example/x: redirect from https to http refused (Location: "
             "http://idp.example/plain)");
    CHECK(h.transport->urls.size() == 1);
  }
  SUBCASE("POST: only same-origin 307/308, and credentials never cross origins") {
    Harness h([](Transfer& t) {
      if (t.url == "https://idp.example/token") {
        redirect_to(t, 307, "/token2");
      } else if (t.url == "https://idp.example/token2") {
        ok_json(t);
      } else if (t.url == "https://idp.example/moved") {
        redirect_to(t, 302, "/token2");
      } else if (t.url == "https://idp.example/get") {
        redirect_to(t, 302, "https://other.example/get");
      } else {
        ok_json(t);
      }
    });
    Request post = get("https://idp.example/token", {{"Authorization", "Basic x"}});
    post.method = "POST";
    post.body = "a=b";
    CHECK(h.client->perform(post).ok());
    post.url = "https://idp.example/moved";
    auto r = h.client->perform(post);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("HTTP 302 redirect of a POST request not followed")
          != std::string::npos);
    auto g = h.client->perform(get("https://idp.example/get", {{"Authorization", "Bearer t"}}));
    REQUIRE(g);
    const auto& last = h.transport->headers.back();
    CHECK(std::none_of(last.begin(), last.end(), [](const std::string& l) {
      return l.rfind("Authorization", 0) == 0;
    }));
  }
}

TEST_CASE("http client traces with redaction and loads the transport once") {
  Harness h([](Transfer& t) {
    t.status = 200;
    t.response_headers = {{"Content-Type", "application/json"}};
    t.response_body = R"({"access_token":"AT","token_type":"Bearer"})";
  });
  CHECK(h.client->perform(get("https://idp.example/1")).ok());
  CHECK(h.client->perform(get("https://idp.example/2")).ok());
  CHECK(h.factory_calls == 1);
  bool saw_body = false;
  for (const auto& l : h.trace) {
    CHECK(l.find("\"AT\"") == std::string::npos);
    saw_body = saw_body || l.find(R"("access_token":"[redacted]")") != std::string::npos;
  }
  CHECK(saw_body);
}

TEST_CASE("http client: a failing factory fails every request with its error") {
  auto client = make_client({}, [](const TransportConfig&) -> Result<std::unique_ptr<Transport>> {
    return internal_error("the HTTP module tollgate_http.so is missing (searched: /x)");
  });
  auto all = client->perform_all({get("https://a.example/"), get("http://b.example/")});
  CHECK(all[0].error().cls == ErrorClass::internal);
  CHECK(all[1].error().cls == ErrorClass::usage); // policy first, no module needed to say no
}

TEST_CASE("http::transfer_error wording") {
  ClientOptions o;
  o.timeout_ms = 3000;
  Transfer t;
  t.url = "https://user:pw@idp.example/certs";
  auto msg = [&](Failure f) {
    t.failure = f;
    return transfer_error(t, o, 1500).message;
  };
  CHECK(msg(Failure::refused) == "https://idp.example/certs: connection refused");
  CHECK(msg(Failure::timeout) == "https://idp.example/certs: timed out after 3000 ms");
  CHECK(msg(Failure::connect_timeout)
        == "https://idp.example/certs: connection timed out after 1500 ms");
  CHECK(msg(Failure::resolve) == "https://idp.example/certs: cannot resolve host 'idp.example'");
  t.tls_verify_result = X509_V_ERR_CERT_HAS_EXPIRED;
  CHECK(msg(Failure::tls_verify) == "https://idp.example/certs: TLS: certificate has expired");
  t.max_bytes = 1024 * 1024;
  CHECK(msg(Failure::too_large).find("larger than the 1 MiB limit") != std::string::npos);
  t.failure = Failure::interrupted;
  CHECK(transfer_error(t, o, 1).cls == ErrorClass::interrupted);
}

TEST_CASE("http::json_body and status_error") {
  using tollgate::test::response;
  CHECK(json_body(response(200, R"({"a":1})")).ok());
  auto html = json_body(
      response(200, "<!DOCTYPE html><html><body>x</body></html>", "text/html; charset=utf-8"));
  CHECK(html.error().message
        == "https://idp.example/x: response is not JSON (text/html, first bytes: <!DOCTYPE "
           "html><html…)");
  CHECK(json_body(response(200, R"({"a":)")).error().message.find("is not valid JSON at byte")
        != std::string::npos);
  CHECK(json_body(response(200, "  ")).error().code == "not_json");
  CHECK(json_body(response(200, R"({"a":1,"a":2})")).error().message.find("appears twice")
        != std::string::npos);
  auto oauth =
      status_error(response(401, R"({"error":"invalid_client","error_description":"bad"})"));
  CHECK(oauth.code == "invalid_client");
  CHECK(oauth.message == "https://idp.example/x: HTTP 401: invalid_client (bad)");
  CHECK(status_error(response(404, "", "")).message == "https://idp.example/x: HTTP 404");
  CHECK(status_error(response(404, "", "")).code == "http_404");
}

TEST_CASE("http client refuses a header with CR, LF or NUL before anything is sent") {
  Harness h(ok_json);
  for (const std::string& bad : {std::string("Bearer abc\r\nX-Injected: 1"),
                                 std::string("Bearer abc\nX: 1"),
                                 std::string("a\rb"),
                                 std::string("a\0b", 3)}) {
    auto r = h.client->perform(get("https://idp.example/x", {{"Authorization", bad}}));
    REQUIRE_FALSE(r);
    CHECK(r.error().cls == ErrorClass::usage);
    CHECK(r.error().code == "bad_header");
    CHECK(r.error().message.find("Authorization") != std::string::npos);
    CHECK(r.error().message.find("abc") == std::string::npos); // the value itself is not shown
  }
  auto name = h.client->perform(get("https://idp.example/x", {{"X-A\r\nB", "v"}}));
  REQUIRE_FALSE(name);
  CHECK(name.error().code == "bad_header");
  CHECK(h.factory_calls == 0); // refused before the transport was even loaded
  CHECK(h.client->perform(get("https://idp.example/x", {{"Authorization", "Bearer ok"}})).ok());
}

TEST_CASE("http::status_error and first_bytes never pass control characters on") {
  tollgate::core::http::Response r;
  r.url = "https://idp.example/token";
  r.status = 400;
  r.body = "{\"error\":\"invalid_grant\\u001b[2J\",\"error_description\":\"a\\r\\nb\\u0007\"}";
  const Error e = status_error(r);
  CHECK(e.message == "https://idp.example/token: HTTP 400: invalid_grant?[2J (a  b?)");
  CHECK(first_bytes("\x1b[31mred\r\n\r\nline") == "?[31mred line");
  CHECK(first_bytes("<!DOCTYPE html><html><head>") == "<!DOCTYPE html><html…");
  CHECK(first_bytes("Not Found") == "Not Found");
  CHECK(first_bytes("caf\xc3\xa9", 4) == "caf\xc3\xa9");
}
