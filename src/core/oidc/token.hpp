#pragma once

#include "core/http/client.hpp"
#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core::oidc {

// RFC 6749 2.3.1 and OpenID Connect Core 9: how the client proves who it is.
enum class ClientAuth {
  basic, // client_secret_basic: HTTP Basic with the form-encoded id and secret
  post,  // client_secret_post: client_id and client_secret in the form
  none,  // public client: client_id in the form only
};
Result<ClientAuth> parse_client_auth(std::string_view name); // "basic" | "post" | "none"
std::string_view client_auth_name(ClientAuth a);             // "client_secret_basic", ...

struct Client {
  std::string id;
  std::string secret; // empty for public clients
  ClientAuth auth = ClientAuth::basic;
};

// RFC 6749 appendix A.1 and A.2: a client id and a client secret are printable ASCII (VSCHAR).
// Anything else (a CR or LF could start a header of its own) is a usage error
// "WHAT contains a control character (byte 0x0d at offset 2)" that never shows the value.
Result<void> check_client_chars(std::string_view value, std::string_view what);

// Add the client's authentication to a form request. Basic needs a secret (usage error
// otherwise); RFC 6749 2.3.1 form-encodes id and secret before base64.
Result<void> apply_client_auth(const Client& client, http::Request& request, http::Params& form);

// A successful token response (RFC 6749 5.1); `raw` keeps every member for --json.
struct TokenResponse {
  util::Json raw;
  std::string access_token;
  std::string token_type;
  std::optional<std::int64_t> expires_in;
  std::string refresh_token;
  std::string id_token;
  std::string scope;
};

// An OAuth error response (RFC 6749 5.2) or any other failure as an Error: network class, the
// OAuth "error" value as code ("invalid_client"), and "URL: HTTP 401: invalid_client (client
// authentication failed)" as message. Callers key on the code, never on the description.
Error oauth_error(const http::Response& r);

// POST a form to an endpoint with client authentication and parse the JSON answer; non-2xx
// answers become oauth_error(). Used by the token, device and introspection endpoints.
Result<util::Json> post_form(http::HttpClient& http,
                             const std::string& endpoint,
                             const Client& client,
                             http::Params form);

// POST grant `params` (grant_type included) to the token endpoint.
Result<TokenResponse> request_token(http::HttpClient& http,
                                    const std::string& token_endpoint,
                                    const Client& client,
                                    http::Params params);

// Parameter sets of the grants (RFC 6749 4.4, 4.3, 6; RFC 8707 resource).
struct GrantExtras {
  std::string scope;
  std::vector<std::string> resources; // RFC 8707 resource indicators
  std::string audience;               // Keycloak's "audience" parameter when set
};
http::Params client_credentials_params(const GrantExtras& x);
http::Params
password_params(const std::string& username, const std::string& password, const GrantExtras& x);
http::Params refresh_params(const std::string& refresh_token, const GrantExtras& x);

Result<TokenResponse> parse_token_response(const util::Json& doc, std::string_view endpoint);

} // namespace tollgate::core::oidc
