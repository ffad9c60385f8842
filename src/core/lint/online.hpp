#pragma once

// Live checks of a config against its IdP (tollgate lint --online). The lint core does no I/O of
// its own: the caller supplies a probe that fetches JSON documents (the CLI builds one on the
// network core's HttpClient; tests use a scripted fake). Failures to fetch become findings and are
// counted in FileReport::online_failures, so the caller can tell "IdP down" from "config wrong".

#include "core/lint/context.hpp"
#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <string>

namespace tollgate::core::lint {

class LintOnlineProbe {
public:
  virtual ~LintOnlineProbe() = default;
  // GET `url` and parse the body as JSON. A transport failure or an HTTP error status is an Error
  // of class network; a body that is not JSON is an Error of any other class. The message is one
  // line naming the URL and the problem.
  virtual Result<util::Json> fetch_json(const std::string& url) = 0;
};

// Run the online rules over the document in `cx` (KrakenD validators: jwk_url, issuer; APISIX
// authz-keycloak: discovery, lazy_load_paths, token_endpoint, resource_registration_endpoint).
void lint_online(Context& cx, LintOnlineProbe& probe);

// The OpenID discovery URL for a validator: derived from a Keycloak certs URL
// (.../realms/R/protocol/openid-connect/certs) or else from `issuer`; empty when neither works.
std::string discovery_url_for(std::string_view jwk_url, std::string_view issuer);

// Why two issuers differ in words ("trailing slash", "/auth prefix", "http vs https"), or "".
std::string issuer_difference(std::string_view configured, std::string_view actual);

} // namespace tollgate::core::lint
