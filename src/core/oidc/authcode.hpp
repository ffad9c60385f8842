#pragma once

#include "core/http/url.hpp"
#include "core/util/result.hpp"

#include <string>

namespace tollgate::core::oidc {

// RFC 7636: a code verifier (4.1: 32 random bytes, base64url, 43 characters) and its S256
// challenge (4.2: base64url(SHA-256(verifier))).
struct Pkce {
  std::string verifier;
  std::string challenge;
};
Pkce make_pkce();
std::string s256_challenge(std::string_view verifier);

// An unguessable value for "state" (RFC 6749 10.12).
std::string random_state();

struct AuthorizationRequest {
  std::string endpoint;
  std::string client_id;
  std::string redirect_uri;
  std::string scope;
  std::string state;
  std::string code_challenge;
  http::Params extra; // resource, prompt, login_hint, ...
};
// The URL to open in a browser (RFC 6749 4.1.1 with RFC 7636 4.3).
std::string authorization_url(const AuthorizationRequest& r);

// The token request that redeems the code (RFC 6749 4.1.3, RFC 7636 4.5).
http::Params authorization_code_params(const std::string& code,
                                       const std::string& redirect_uri,
                                       const std::string& verifier);

// RFC 8252 7.3: a one-shot HTTP listener on the loopback interface (127.0.0.1, never "localhost")
// that receives the authorization response. Other paths (a browser's /favicon.ico) get 404 and
// are ignored.
class LoopbackReceiver {
public:
  // Bind 127.0.0.1:`port` (0: any free port).
  static Result<LoopbackReceiver> listen(int port);
  LoopbackReceiver(LoopbackReceiver&& other) noexcept;
  LoopbackReceiver& operator=(LoopbackReceiver&&) = delete;
  ~LoopbackReceiver();

  int port() const { return m_port; }
  // "http://127.0.0.1:PORT/callback"
  std::string redirect_uri() const;

  // Wait up to `timeout_ms` for the redirect and return its code after checking that `state`
  // matches and, when the response carries "iss" (RFC 9207), that it is `issuer`. An "error"
  // parameter (RFC 6749 4.1.2.1) becomes a network error with that code; a timeout, a wrong state
  // or issuer, or Ctrl-C end the wait with an error too.
  Result<std::string> wait_for_code(long timeout_ms, const std::string& state, const std::string& issuer);

private:
  LoopbackReceiver(int fd, int port) : m_fd(fd), m_port(port) {}
  int m_fd = -1;
  int m_port = 0;
};

} // namespace tollgate::core::oidc
