#include "core/uma/client.hpp"

#include "core/jose/token.hpp"
#include "core/util/base64url.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::uma {
namespace {

// A PAT is renewed this long before it expires, so that a request never carries one that dies
// on the way.
constexpr std::int64_t kPatMarginSeconds = 10;

http::Request bearer_get(const std::string& url, const std::string& pat) {
  http::Request req;
  req.url = url;
  req.headers.push_back({"Accept", "application/json"});
  req.headers.push_back({"Authorization", "Bearer " + pat});
  return req;
}

Error protection_error(const http::Response& r) {
  Error e = http::status_error(r);
  if (r.status == 401 || r.status == 403) {
    e.message += " - the protection API needs a PAT: the resource server's own client "
                 "credentials (--client-id of the resource server, with Authorization enabled)";
  }
  return e;
}

// The JSON array a resource query answers (ids, or objects with deep=true).
Result<util::Json> resource_answer(Result<http::Response> response, const std::string& endpoint) {
  TOLLGATE_TRY(auto resp, std::move(response));
  if (!resp.ok()) {
    return protection_error(resp);
  }
  TOLLGATE_TRY(auto doc, http::json_body(resp));
  if (!doc.is_array()) {
    return network_error("bad_response",
                         fmt::format("{}: the resource query answer is not a JSON array",
                                     http::display_url(endpoint)));
  }
  return doc;
}

// The resource ids of such an answer.
std::vector<std::string> ids_of(const util::Json& doc) {
  std::vector<std::string> ids;
  for (const auto& e : doc) {
    if (e.is_string()) {
      ids.push_back(e.get<std::string>());
    } else if (e.is_object() && e.contains("_id") && e["_id"].is_string()) {
      ids.push_back(e["_id"].get<std::string>());
    }
  }
  return ids;
}

} // namespace

Result<http::Request>
uma_request(const std::string& token_endpoint, const Identity& identity, const Form& form) {
  http::Request req;
  req.method = "POST";
  req.url = token_endpoint;
  req.headers.push_back({"Accept", "application/json"});
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  http::Params params(form.begin(), form.end());
  if (!identity.bearer.empty()) {
    req.headers.push_back({"Authorization", "Bearer " + identity.bearer});
  } else if (identity.client) {
    TOLLGATE_CHECK(oidc::apply_client_auth(*identity.client, req, params));
  } else {
    return usage_error("no_identity",
                       "no identity for the permission request: pass --token (the user's access "
                       "token) or --client-id with a client secret");
  }
  req.body = http::form_encode(params);
  return req;
}

Result<Reply> to_reply(Result<http::Response> response) {
  TOLLGATE_TRY(auto resp, std::move(response));
  if (resp.status >= 300 && resp.status < 400) {
    return http::status_error(resp);
  }
  return Reply{resp.status, std::move(resp.body)};
}

Transport http_transport(http::HttpClient& http, std::string token_endpoint, Identity identity) {
  return [&http, endpoint = std::move(token_endpoint), identity = std::move(identity)](
             const Form& form) -> Result<Reply> {
    TOLLGATE_TRY(auto req, uma_request(endpoint, identity, form));
    return to_reply(http.perform(std::move(req)));
  };
}

Result<std::string> PatSource::get(http::HttpClient& http) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const auto now = m_clock->now();
  if (!m_token.empty() && now + kPatMarginSeconds < m_expires) {
    return m_token;
  }
  if (m_client.id.empty()) {
    return usage_error("no_client_id",
                       "the protection API (--path, uma resources) needs a PAT: pass --client-id "
                       "and the secret of the resource server's client");
  }
  ++m_fetches;
  TOLLGATE_TRY(
      auto t,
      oidc::request_token(
          http, m_endpoint, m_client, oidc::client_credentials_params(oidc::GrantExtras{})));
  m_token = t.access_token;
  // Without expires_in, use it for this run only a minute (Keycloak's default is 300 s).
  m_expires = now + (t.expires_in ? *t.expires_in : 60);
  return m_token;
}

std::string resource_query_url(const std::string& endpoint, const ResourceQuery& q) {
  http::Params p;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) {
      p.emplace_back(k, v);
    }
  };
  add("_id", q.id);
  add("name", q.name);
  if (q.exact_name) {
    p.emplace_back("exactName", "true");
  }
  add("uri", q.uri);
  if (q.matching_uri) {
    p.emplace_back("matchingUri", "true");
  }
  add("type", q.type);
  add("scope", q.scope);
  add("owner", q.owner);
  if (q.deep) {
    p.emplace_back("deep", "true");
  }
  if (q.first) {
    p.emplace_back("first", std::to_string(*q.first));
  }
  if (q.max) {
    p.emplace_back("max", std::to_string(*q.max));
  }
  return p.empty() ? endpoint : http::with_query(endpoint, p);
}

Result<util::Json> query_resources(http::HttpClient& http,
                                   const std::string& endpoint,
                                   const std::string& pat,
                                   const ResourceQuery& q) {
  return resource_answer(http.perform(bearer_get(resource_query_url(endpoint, q), pat)), endpoint);
}

Result<std::vector<util::Json>> fetch_resources(http::HttpClient& http,
                                                const std::string& endpoint,
                                                const std::string& pat,
                                                const std::vector<std::string>& ids) {
  std::vector<http::Request> reqs;
  for (const auto& id : ids) {
    reqs.push_back(bearer_get(endpoint + "/" + http::percent_encode(id), pat));
  }
  auto results = http.perform_all(std::move(reqs));
  std::vector<util::Json> out;
  for (auto& r : results) {
    if (!r) {
      return std::move(r).error();
    }
    if (!r->ok()) {
      return protection_error(*r);
    }
    TOLLGATE_TRY(auto doc, http::json_body(*r));
    out.push_back(std::move(doc));
  }
  return out;
}

Result<std::vector<std::string>> PathResolver::resolve(http::HttpClient& http,
                                                       const std::string& path) {
  TOLLGATE_CHECK(resolve_all(http, {path}));
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_known.at(path);
}

Result<void> PathResolver::resolve_all(http::HttpClient& http,
                                       const std::vector<std::string>& paths) {
  std::vector<std::string> todo;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& p : paths) {
      if (m_known.find(p) == m_known.end()
          && std::find(todo.begin(), todo.end(), p) == todo.end()) {
        todo.push_back(p);
      }
    }
  }
  if (todo.empty()) {
    return {};
  }
  TOLLGATE_TRY(std::string pat, m_pat->get(http));
  std::vector<http::Request> reqs;
  for (const auto& p : todo) {
    ResourceQuery q;
    q.uri = p;
    q.matching_uri = true;
    reqs.push_back(bearer_get(resource_query_url(m_endpoint, q), pat));
  }
  auto results = http.perform_all(std::move(reqs));
  std::optional<Error> first;
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto doc = resource_answer(std::move(results[i]), m_endpoint);
    if (!doc) {
      if (!first) {
        first = std::move(doc).error();
      }
      continue;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_known.emplace(todo[i], ids_of(*doc));
  }
  if (first) {
    return std::move(*first);
  }
  return {};
}

Result<std::string> claim_token(const std::vector<std::string>& assignments) {
  if (assignments.empty()) {
    return std::string();
  }
  util::Json claims = util::Json::object();
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return usage_error("bad_claim",
                         fmt::format("--claim '{}' is not NAME=VALUE", util::excerpt(a)));
    }
    const std::string name = a.substr(0, eq);
    auto& values = claims[name];
    if (values.is_null()) {
      values = util::Json::array();
    }
    values.push_back(a.substr(eq + 1));
  }
  return util::b64url_encode(claims.dump());
}

util::Json rpt_permissions(const std::string& rpt) {
  auto decoded = jose::decode_token(rpt, 16 * 1024 * 1024);
  if (!decoded || decoded->jwe || !decoded->payload.is_object()) {
    return util::Json::array();
  }
  const auto& p = decoded->payload;
  if (p.contains("authorization") && p["authorization"].is_object()
      && p["authorization"].contains("permissions")
      && p["authorization"]["permissions"].is_array()) {
    return p["authorization"]["permissions"];
  }
  return util::Json::array();
}

Result<RptResult> request_rpt(const Transport& transport,
                              const std::string& audience,
                              const std::vector<Permission>& permissions,
                              const std::string& claim_tok,
                              const std::string& subject_token,
                              const std::string& rpt) {
  Form f = base_form(audience, claim_tok, subject_token);
  for (const auto& p : permissions) {
    f.emplace_back("permission", p.wire());
  }
  if (!rpt.empty()) {
    f.emplace_back("rpt", rpt);
  }
  TOLLGATE_TRY(auto reply, transport(f));
  RptResult out;
  if (reply.status == 200) {
    TOLLGATE_TRY(auto doc, util::parse_json_strict(reply.body, "the IdP's RPT answer"));
    if (!doc.is_object() || !doc.contains("access_token") || !doc["access_token"].is_string()) {
      return network_error("bad_response", "the IdP's RPT answer has no \"access_token\" string");
    }
    out.granted = true;
    out.permissions = rpt_permissions(doc["access_token"].get<std::string>());
    out.response = std::move(doc);
    return out;
  }
  IdpError e = parse_idp_error(reply);
  if (reply.status == 403 && e.error == "access_denied") {
    out.message = "the IdP denied the permissions (no RPT issued)";
  } else {
    out.message = explain_idp_error(e, audience);
  }
  out.idp_error = std::move(e);
  return out;
}

Result<PermissionsResult> request_permissions(const Transport& transport,
                                              const std::string& audience,
                                              const std::vector<Permission>& permissions,
                                              const std::string& claim_tok,
                                              const std::string& subject_token) {
  Form f = base_form(audience, claim_tok, subject_token);
  for (const auto& p : permissions) {
    f.emplace_back("permission", p.wire());
  }
  f.emplace_back("response_mode", "permissions");
  TOLLGATE_TRY(auto reply, transport(f));
  PermissionsResult out;
  if (reply.status == 200) {
    TOLLGATE_TRY(auto doc, util::parse_json_strict(reply.body, "the IdP's permissions answer"));
    if (!doc.is_array()) {
      return network_error("bad_response", "the IdP's permissions answer is not a JSON array");
    }
    out.granted = std::move(doc);
    return out;
  }
  IdpError e = parse_idp_error(reply);
  if (reply.status == 403 && e.error == "access_denied") {
    out.message = "the IdP granted none of the permissions";
    return out;
  }
  out.decided = false;
  out.message = explain_idp_error(e, audience);
  out.idp_error = std::move(e);
  return out;
}

} // namespace tollgate::core::uma
