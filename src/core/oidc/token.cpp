#include "core/oidc/token.hpp"

#include "core/util/base64url.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::oidc {
namespace {

void add_extras(http::Params& p, const GrantExtras& x) {
  if (!x.scope.empty()) {
    p.emplace_back("scope", x.scope);
  }
  for (const auto& r : x.resources) {
    p.emplace_back("resource", r);
  }
  if (!x.audience.empty()) {
    p.emplace_back("audience", x.audience);
  }
}

} // namespace

Result<ClientAuth> parse_client_auth(std::string_view name) {
  if (name == "basic" || name == "client_secret_basic") {
    return ClientAuth::basic;
  }
  if (name == "post" || name == "client_secret_post") {
    return ClientAuth::post;
  }
  if (name == "none") {
    return ClientAuth::none;
  }
  return usage_error(
      "bad_client_auth",
      fmt::format("client auth '{}' is not one of basic, post, none", util::excerpt(name)));
}

std::string_view client_auth_name(ClientAuth a) {
  switch (a) {
  case ClientAuth::basic:
    return "client_secret_basic";
  case ClientAuth::post:
    return "client_secret_post";
  case ClientAuth::none:
    return "none";
  }
  return "none";
}

Result<void> check_client_chars(std::string_view value, std::string_view what) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c > 0x7e) {
      return usage_error("bad_client_chars",
                         fmt::format("{} contains {} (byte 0x{:02x} at offset {}); client ids "
                                     "and secrets are printable ASCII (RFC 6749 appendix A)",
                                     what,
                                     c > 0x7e ? "a non-ASCII byte" : "a control character",
                                     c,
                                     i));
    }
  }
  return {};
}

Result<void> apply_client_auth(const Client& client, http::Request& request, http::Params& form) {
  if (client.id.empty()) {
    return usage_error("no_client_id",
                       "no client id: pass --client-id (or set client_id in the profile)");
  }
  switch (client.auth) {
  case ClientAuth::basic:
    if (client.secret.empty()) {
      return usage_error(
          "no_client_secret",
          "client_secret_basic needs a secret: pass --client-secret-file FILE or set "
          "TOLLGATE_CLIENT_SECRET (or --client-auth none for a public client)");
    }
    // RFC 6749 2.3.1: the id and secret are form-encoded before they are joined and base64'd.
    request.headers.push_back({"Authorization",
                               "Basic "
                                   + util::b64_encode(http::percent_encode(client.id) + ":"
                                                      + http::percent_encode(client.secret))});
    return {};
  case ClientAuth::post:
    if (client.secret.empty()) {
      return usage_error("no_client_secret",
                         "client_secret_post needs a secret: pass --client-secret-file FILE or set "
                         "TOLLGATE_CLIENT_SECRET");
    }
    form.emplace_back("client_id", client.id);
    form.emplace_back("client_secret", client.secret);
    return {};
  case ClientAuth::none:
    form.emplace_back("client_id", client.id);
    return {};
  }
  return {};
}

Error oauth_error(const http::Response& r) {
  Error e = http::status_error(r);
  if (e.code == "invalid_client" || e.code == "unauthorized_client") {
    e.message += " - check the client id, the secret and --client-auth";
  }
  return e;
}

Result<util::Json> post_form(http::HttpClient& http,
                             const std::string& endpoint,
                             const Client& client,
                             http::Params form) {
  http::Request req;
  req.method = "POST";
  req.url = endpoint;
  req.headers.push_back({"Accept", "application/json"});
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  TOLLGATE_CHECK(apply_client_auth(client, req, form));
  req.body = http::form_encode(form);
  TOLLGATE_TRY(auto resp, http.perform(std::move(req)));
  if (!resp.ok()) {
    return oauth_error(resp);
  }
  return http::json_body(resp);
}

Result<TokenResponse> parse_token_response(const util::Json& doc, std::string_view endpoint) {
  auto bad = [&](std::string_view why) {
    return network_error(
        "bad_token_response",
        fmt::format("{}: the token response {}", http::display_url(endpoint), why));
  };
  if (!doc.is_object()) {
    return bad("is not a JSON object");
  }
  TokenResponse t;
  t.raw = doc;
  auto str = [&](const char* k, std::string& out, bool required) -> bool {
    if (!doc.contains(k)) {
      return !required;
    }
    if (!doc[k].is_string()) {
      return false;
    }
    out = doc[k].get<std::string>();
    return true;
  };
  // RFC 6749 5.1: access_token and token_type are REQUIRED.
  if (!str("access_token", t.access_token, true) || t.access_token.empty()) {
    return bad("has no \"access_token\" string");
  }
  if (!str("token_type", t.token_type, false)) {
    return bad("has a non-string \"token_type\"");
  }
  if (!str("refresh_token", t.refresh_token, false) || !str("id_token", t.id_token, false)
      || !str("scope", t.scope, false)) {
    return bad("has a non-string refresh_token, id_token or scope");
  }
  if (doc.contains("expires_in")) {
    if (doc["expires_in"].is_number_integer()) {
      t.expires_in = doc["expires_in"].get<std::int64_t>();
    } else if (doc["expires_in"].is_string()) {
      // Some servers send the number as a string; accept a plain decimal one.
      const std::string s = doc["expires_in"].get<std::string>();
      if (!s.empty() && s.size() < 12 && s.find_first_not_of("0123456789") == std::string::npos) {
        t.expires_in = std::stoll(s);
      }
    }
  }
  return t;
}

Result<TokenResponse> request_token(http::HttpClient& http,
                                    const std::string& token_endpoint,
                                    const Client& client,
                                    http::Params params) {
  TOLLGATE_TRY(auto doc, post_form(http, token_endpoint, client, std::move(params)));
  return parse_token_response(doc, token_endpoint);
}

http::Params client_credentials_params(const GrantExtras& x) {
  http::Params p{{"grant_type", "client_credentials"}};
  add_extras(p, x);
  return p;
}

http::Params
password_params(const std::string& username, const std::string& password, const GrantExtras& x) {
  http::Params p{{"grant_type", "password"}, {"username", username}, {"password", password}};
  add_extras(p, x);
  return p;
}

http::Params refresh_params(const std::string& refresh_token, const GrantExtras& x) {
  http::Params p{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
  add_extras(p, x);
  return p;
}

} // namespace tollgate::core::oidc
