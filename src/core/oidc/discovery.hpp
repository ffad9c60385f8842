#pragma once

#include "core/cache/fetch.hpp"
#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::oidc {

// Something a check found in a discovery document. Errors make `discover` exit 1; warnings are
// shown but do not change the exit status (unless --strict).
struct Finding {
  bool error = false;
  std::string code; // "issuer_mismatch", "missing_field", "insecure_endpoint", ...
  std::string message;
};

// Where a discovery document lives and which issuer it must name. The input is an issuer
// ("https://sso/realms/demo") or the document URL itself (".../.well-known/openid-configuration"
// or ".../.well-known/uma2-configuration"). OpenID Connect Discovery 4.1: a terminating "/" of the
// issuer is removed before appending the well-known path.
struct DiscoveryTarget {
  std::string issuer;
  std::string url;
};
enum class DocumentKind { openid, uma2 };
Result<DiscoveryTarget> discovery_target(std::string_view input, DocumentKind kind);

// The checks, without any I/O: issuer equal to `expected_issuer` exactly (OpenID Connect
// Discovery 4.3), the REQUIRED fields of section 3 (or of UMA 2.0 for uma2), endpoints that are
// valid URLs and use https (plain http is accepted on a loopback host or with `allow_http`), and
// the legacy Keycloak name token_introspection_endpoint.
std::vector<Finding> check_document(const util::Json& doc,
                                    std::string_view expected_issuer,
                                    DocumentKind kind,
                                    bool allow_http);

// A fetched and checked discovery document.
struct Discovery {
  DocumentKind kind = DocumentKind::openid;
  std::string issuer; // the issuer asked for
  cache::Fetched fetched;
  std::vector<Finding> findings;

  const util::Json& doc() const { return fetched.doc; }
  // A string member of the document, "" when absent or not a string.
  std::string field(std::string_view name) const;
  // introspection_endpoint, else the legacy token_introspection_endpoint (Keycloak <= 10).
  std::string introspection_endpoint() const;
  bool has_errors() const;
};

// Fetch (through the cache) and check the document for `issuer_or_url`. A 404 on a Keycloak-style
// path adds a hint to try the form with or without the "/auth" prefix.
Result<Discovery>
discover(cache::FetchContext& ctx, std::string_view issuer_or_url, DocumentKind kind);

// For commands that use a discovered endpoint: the document must name the issuer asked for and
// have a non-empty `endpoint` member (introspection accepts the legacy name). Network errors
// (exit 3) otherwise.
Result<std::string> require_endpoint(const Discovery& d, std::string_view endpoint);

// The Keycloak /auth prefix hint for `url` ("" when the path is not Keycloak-shaped).
std::string keycloak_prefix_hint(std::string_view issuer);

} // namespace tollgate::core::oidc
