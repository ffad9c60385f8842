#pragma once

// The UMA client shared by the `uma` commands: the uma-ticket requests over the HTTP client with
// the caller's identity, the PAT for the Protection API (cached until it expires), resource
// lookups and lazy path resolution (APISIX lazy_load_paths).

#include "core/http/client.hpp"
#include "core/oidc/token.hpp"
#include "core/uma/check.hpp"
#include "core/util/json.hpp"
#include "core/util/result.hpp"
#include "core/util/time.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tollgate::core::uma {

// Who a uma-ticket request speaks for. With `bearer`, the user's token is the identity and no
// client authentication is sent (Keycloak's way); without it, the client authenticates and the
// decision is for its service account (or for subject_token's subject).
struct Identity {
  std::string bearer;
  std::optional<oidc::Client> client;
};

// Counters of one batch run, shared by its workers (updated concurrently).
struct Traffic {
  std::atomic<long> requests{0};
  std::atomic<long> connections{0}; // responses that did not reuse a kept-alive connection
};

// The HTTP request of one uma-ticket form with `identity` (usage error without one).
Result<http::Request>
uma_request(const std::string& token_endpoint, const Identity& identity, const Form& form);

// What check() judges of a response: any HTTP answer but a redirect (which the client did not
// follow: a POST is only followed same-origin with 307/308).
Result<Reply> to_reply(Result<http::Response> response);

// A Transport posting uma-ticket forms to `token_endpoint` with `identity`. Transfer failures are
// network errors naming the endpoint; any HTTP answer is a Reply for check() to judge.
Transport http_transport(http::HttpClient& http, std::string token_endpoint, Identity identity);

// The protection API token: a client_credentials token of the resource server's client, reused
// until shortly before it expires (never written to disk: it is a secret). Thread-safe.
class PatSource {
public:
  PatSource(std::string token_endpoint, oidc::Client client, const util::Clock& clock)
      : m_endpoint(std::move(token_endpoint)), m_client(std::move(client)), m_clock(&clock) {}
  Result<std::string> get(http::HttpClient& http);
  int fetches() const { return m_fetches; }

private:
  std::mutex m_mutex;
  std::string m_endpoint;
  oidc::Client m_client;
  const util::Clock* m_clock;
  std::string m_token;
  util::UnixTime m_expires = 0;
  int m_fetches = 0;
};

// GET {resource_registration_endpoint} filters (uma-protocol.md 4.2).
struct ResourceQuery {
  std::string id;
  std::string uri;
  bool matching_uri = false;
  std::string name;
  bool exact_name = false;
  std::string type;
  std::string scope;
  std::string owner;
  bool deep = false;
  std::optional<long> first;
  std::optional<long> max;
};

// The query URL (for tests and -v).
std::string resource_query_url(const std::string& endpoint, const ResourceQuery& q);

// Run a resource query with the PAT: the JSON array Keycloak answers (ids, or objects with deep).
Result<util::Json> query_resources(http::HttpClient& http,
                                   const std::string& endpoint,
                                   const std::string& pat,
                                   const ResourceQuery& q);

// GET {endpoint}/{id} for each id, concurrently: one resource object per id, in order.
Result<std::vector<util::Json>> fetch_resources(http::HttpClient& http,
                                                const std::string& endpoint,
                                                const std::string& pat,
                                                const std::vector<std::string>& ids);

// Lazy path resolution as APISIX does it: `?uri=PATH&matchingUri=true`, the resource ids found
// (Keycloak's PathMatcher returns at most one when the exact lookup misses). Results are kept per
// path for the life of the object. Thread-safe.
class PathResolver {
public:
  PathResolver(std::string endpoint, PatSource& pat)
      : m_endpoint(std::move(endpoint)), m_pat(&pat) {}
  Result<std::vector<std::string>> resolve(http::HttpClient& http, const std::string& path);
  // Resolve several paths at once (concurrent lookups); afterwards resolve() answers them from
  // memory. Returns the first failure, but keeps what was resolved.
  Result<void> resolve_all(http::HttpClient& http, const std::vector<std::string>& paths);

private:
  std::mutex m_mutex;
  std::string m_endpoint;
  PatSource* m_pat;
  std::map<std::string, std::vector<std::string>> m_known;
};

// `NAME=VALUE` pairs as Keycloak's pushed claims: a JSON object of string arrays (a repeated NAME
// collects its values), base64url-encoded for claim_token.
Result<std::string> claim_token(const std::vector<std::string>& assignments);

// What a uma-ticket request without response_mode answered: an RPT (or a denial/IdP error).
struct RptResult {
  bool granted = false;
  util::Json response;                          // the token response
  util::Json permissions = util::Json::array(); // authorization.permissions of the RPT
  std::optional<IdpError> idp_error;
  std::string message;
};

// A uma-ticket request for an RPT (`rpt`: upgrade an earlier one).
Result<RptResult> request_rpt(const Transport& transport,
                              const std::string& audience,
                              const std::vector<Permission>& permissions,
                              const std::string& claim_token,
                              const std::string& subject_token,
                              const std::string& rpt);

// response_mode=permissions: the granted permissions (all the caller can get without
// `permissions`). A 403 access_denied is an empty list.
struct PermissionsResult {
  bool decided = true;
  util::Json granted = util::Json::array();
  std::optional<IdpError> idp_error;
  std::string message;
};
Result<PermissionsResult> request_permissions(const Transport& transport,
                                              const std::string& audience,
                                              const std::vector<Permission>& permissions,
                                              const std::string& claim_token,
                                              const std::string& subject_token);

// The authorization.permissions of an RPT (not verified: it came straight from the IdP).
util::Json rpt_permissions(const std::string& rpt);

} // namespace tollgate::core::uma
