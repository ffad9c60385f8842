#include "core/oidc/authcode.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace tollgate::core;
using namespace tollgate::core::oidc;

TEST_CASE("oidc PKCE S256 (RFC 7636 appendix B)") {
  CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const Pkce p = make_pkce();
  CHECK(p.verifier.size() == 43);
  CHECK(p.challenge == s256_challenge(p.verifier));
  CHECK(make_pkce().verifier != p.verifier);
  CHECK(random_state().size() == 22);
}

TEST_CASE("oidc::authorization_url") {
  AuthorizationRequest r{"https://idp.example/auth",
                         "cli",
                         "http://127.0.0.1:5000/callback",
                         "openid profile",
                         "st",
                         "ch",
                         {{"resource", "urn:x"}}};
  CHECK(authorization_url(r)
        == "https://idp.example/"
           "auth?response_type=code&client_id=cli&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%"
           "2Fcallback"
           "&state=st&code_challenge=ch&code_challenge_method=S256&scope=openid+profile&resource="
           "urn%3Ax");
}

namespace {
// Send one raw HTTP request to 127.0.0.1:port and return the response.
std::string send_request(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {};
  }
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[1024];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}
} // namespace

TEST_CASE("oidc::LoopbackReceiver (RFC 8252 7.3)") {
  auto rx = LoopbackReceiver::listen(0);
  REQUIRE(rx);
  CHECK(rx->redirect_uri() == "http://127.0.0.1:" + std::to_string(rx->port()) + "/callback");
  SUBCASE("ignores other paths, returns the code") {
    std::string favicon;
    std::thread browser([&] {
      favicon = send_request(rx->port(), "GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n");
      send_request(rx->port(),
                   "GET /callback?code=abc%2B1&state=s1&iss=https%3A%2F%2Fidp HTTP/1.1\r\n\r\n");
    });
    auto code = rx->wait_for_code(5000, "s1", "https://idp");
    browser.join();
    REQUIRE(code);
    CHECK(*code == "abc+1");
    CHECK(favicon.rfind("HTTP/1.1 404", 0) == 0);
  }
  SUBCASE("a wrong state, a wrong issuer or an error are refused") {
    std::thread b1(
        [&] { send_request(rx->port(), "GET /callback?code=c&state=other HTTP/1.1\r\n\r\n"); });
    CHECK(rx->wait_for_code(5000, "s1", "").error().code == "state_mismatch");
    b1.join();
    std::thread b2([&] {
      send_request(rx->port(),
                   "GET /callback?code=c&state=s1&iss=https%3A%2F%2Fevil HTTP/1.1\r\n\r\n");
    });
    CHECK(rx->wait_for_code(5000, "s1", "https://idp").error().code == "issuer_mismatch");
    b2.join();
    std::thread b3([&] {
      send_request(rx->port(), "GET /callback?error=access_denied&state=s1 HTTP/1.1\r\n\r\n");
    });
    CHECK(rx->wait_for_code(5000, "s1", "").error().code == "access_denied");
    b3.join();
  }
  SUBCASE("times out") {
    auto r = rx->wait_for_code(150, "s", "");
    CHECK(r.error().code == "timeout");
  }
}
