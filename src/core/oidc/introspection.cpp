#include "core/oidc/introspection.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::oidc {

Result<Introspection> parse_introspection(const util::Json& doc, std::string_view endpoint) {
  if (!doc.is_object() || !doc.contains("active") || !doc["active"].is_boolean()) {
    return network_error("bad_introspection",
                         fmt::format("{}: the introspection response has no boolean \"active\" "
                                     "(RFC 7662 2.2)",
                                     http::display_url(endpoint)));
  }
  Introspection i;
  i.active = doc["active"].get<bool>();
  i.raw = doc;
  return i;
}

Result<Introspection> introspect(http::HttpClient& http,
                                 const std::string& endpoint,
                                 const Client& client,
                                 const std::string& token,
                                 const std::string& hint) {
  http::Params form{{"token", token}};
  if (!hint.empty()) {
    form.emplace_back("token_type_hint", hint);
  }
  TOLLGATE_TRY(auto doc, post_form(http, endpoint, client, std::move(form)));
  return parse_introspection(doc, endpoint);
}

BearerChallenge parse_bearer_challenge(std::string_view header) {
  BearerChallenge c;
  auto value_of = [&](std::string_view key) -> std::string {
    const std::string needle = std::string(key) + "=\"";
    auto at = header.find(needle);
    if (at == std::string_view::npos) {
      return {};
    }
    at += needle.size();
    std::string out;
    for (std::size_t i = at; i < header.size() && header[i] != '"'; ++i) {
      if (header[i] == '\\' && i + 1 < header.size()) {
        ++i;
      }
      out += header[i];
    }
    return out;
  };
  c.error = value_of("error");
  c.description = value_of("error_description");
  return c;
}

Result<util::Json>
userinfo(http::HttpClient& http, const std::string& endpoint, const std::string& access_token) {
  http::Request req;
  req.url = endpoint;
  req.headers.push_back({"Accept", "application/json"});
  req.headers.push_back({"Authorization", "Bearer " + access_token});
  TOLLGATE_TRY(auto resp, http.perform(std::move(req)));
  if (resp.status == 401 || resp.status == 403) {
    const BearerChallenge c = parse_bearer_challenge(resp.header("www-authenticate"));
    if (!c.error.empty()) {
      return verdict_error(
          c.error,
          fmt::format("{}: HTTP {}: the IdP rejected the token: {}{}",
                      http::display_url(resp.url),
                      resp.status,
                      util::excerpt(util::terminal_safe(c.error), 80),
                      c.description.empty()
                          ? ""
                          : " (" + util::excerpt(util::terminal_safe(c.description), 200) + ")"));
    }
  }
  if (!resp.ok()) {
    return http::status_error(resp);
  }
  if (resp.media_type() == "application/jwt") {
    return network_error("unsupported",
                         fmt::format("{}: a signed or encrypted userinfo response "
                                     "(application/jwt) is not supported",
                                     http::display_url(resp.url)));
  }
  TOLLGATE_TRY(auto doc, http::json_body(resp));
  if (!doc.is_object()) {
    return network_error(
        "bad_userinfo",
        fmt::format("{}: the userinfo response is not a JSON object", http::display_url(resp.url)));
  }
  return doc;
}

} // namespace tollgate::core::oidc
