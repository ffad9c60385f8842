#pragma once

#include "core/oidc/token.hpp"

#include <string>

namespace tollgate::core::oidc {

// RFC 7662 2.2: the introspection response; `active` is its REQUIRED boolean.
struct Introspection {
  bool active = false;
  util::Json raw;
};

// RFC 7662 2.1: POST token (and token_type_hint when not empty) with client authentication.
Result<Introspection> introspect(http::HttpClient& http,
                                 const std::string& endpoint,
                                 const Client& client,
                                 const std::string& token,
                                 const std::string& token_type_hint);

Result<Introspection> parse_introspection(const util::Json& doc, std::string_view endpoint);

// OpenID Connect Core 5.3: the claims the userinfo endpoint returns for `access_token`. A 401
// with a Bearer challenge (RFC 6750 3) is a negative verdict (the IdP says the token is not
// good); other failures are network errors.
Result<util::Json>
userinfo(http::HttpClient& http, const std::string& endpoint, const std::string& access_token);

// The error="..." and error_description="..." of a WWW-Authenticate Bearer challenge.
struct BearerChallenge {
  std::string error;
  std::string description;
};
BearerChallenge parse_bearer_challenge(std::string_view header);

} // namespace tollgate::core::oidc
