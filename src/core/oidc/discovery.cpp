#include "core/oidc/discovery.hpp"

#include "core/http/url.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::oidc {
namespace {

constexpr std::string_view kOpenidSuffix = "/.well-known/openid-configuration";
constexpr std::string_view kUmaSuffix = "/.well-known/uma2-configuration";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view suffix_for(DocumentKind kind) {
  return kind == DocumentKind::openid ? kOpenidSuffix : kUmaSuffix;
}

std::string_view doc_name(DocumentKind kind) {
  return kind == DocumentKind::openid ? "OpenID configuration" : "UMA2 configuration";
}

// Members holding URLs that a client may call or hand to a browser.
bool is_endpoint_member(std::string_view name) {
  return ends_with(name, "_endpoint") || name == "jwks_uri" || name == "check_session_iframe"
         || name == "registration_endpoint";
}

void check_url_member(const std::string& name,
                      const util::Json& value,
                      bool allow_http,
                      std::vector<Finding>& out) {
  if (!value.is_string()) {
    out.push_back({true, "bad_field", fmt::format("\"{}\" is not a string", name)});
    return;
  }
  const std::string& s = value.get_ref<const std::string&>();
  auto url = http::parse_url(s, fmt::format("\"{}\"", name));
  if (!url) {
    out.push_back({true, "bad_url", url.error().message});
    return;
  }
  if (url->scheme == "http" && !allow_http && !http::is_loopback_host(*url)) {
    out.push_back({true,
                   "insecure_endpoint",
                   fmt::format("\"{}\" uses plain http: {} (tokens and keys would travel "
                               "unprotected; --allow-http accepts it)",
                               name,
                               url->str())});
  }
}

} // namespace

Result<DiscoveryTarget> discovery_target(std::string_view input, DocumentKind kind) {
  std::string in(util::trim(input));
  DiscoveryTarget t;
  if (ends_with(in, kOpenidSuffix) || ends_with(in, kUmaSuffix)) {
    const std::string_view found = ends_with(in, kOpenidSuffix) ? kOpenidSuffix : kUmaSuffix;
    t.issuer = in.substr(0, in.size() - found.size());
    t.url = t.issuer;
    t.url.append(suffix_for(kind));
  } else {
    t.issuer = in;
    std::string base = in;
    while (!base.empty() && base.back() == '/') {
      base.pop_back();
    }
    t.url = std::move(base);
    t.url.append(suffix_for(kind));
  }
  TOLLGATE_TRY(auto parsed, http::parse_url(t.issuer, "issuer"));
  if (parsed.has_query) {
    return usage_error("bad_url",
                       fmt::format("issuer '{}' has a query; an issuer never does (OpenID "
                                   "Connect Discovery 3)",
                                   t.issuer));
  }
  return t;
}

std::vector<Finding> check_document(const util::Json& doc,
                                    std::string_view expected_issuer,
                                    DocumentKind kind,
                                    bool allow_http) {
  std::vector<Finding> out;
  if (!doc.is_object()) {
    out.push_back({true, "not_object", "the document is not a JSON object"});
    return out;
  }
  if (!doc.contains("issuer") || !doc["issuer"].is_string()) {
    out.push_back({true, "missing_field", "required field \"issuer\" is missing"});
  } else if (doc["issuer"].get<std::string>() != expected_issuer) {
    out.push_back({true,
                   "issuer_mismatch",
                   fmt::format("issuer {} differs from the requested issuer {} (OpenID Connect "
                               "Discovery 4.3 requires them to be identical; tokens carry the "
                               "document's value in \"iss\")",
                               util::quote(doc["issuer"].get<std::string>(), 200),
                               util::quote(expected_issuer, 200))});
  }
  std::vector<std::string_view> required_urls;
  std::vector<std::string_view> required_lists;
  if (kind == DocumentKind::openid) {
    // OpenID Connect Discovery 1.0 section 3 (REQUIRED members).
    required_urls = {"authorization_endpoint", "token_endpoint", "jwks_uri"};
    required_lists = {"response_types_supported",
                      "subject_types_supported",
                      "id_token_signing_alg_values_supported"};
  } else {
    // UMA 2.0 Grant 2 (RFC 8414 metadata) and Federated Authorization 2.
    required_urls = {
        "token_endpoint", "jwks_uri", "permission_endpoint", "resource_registration_endpoint"};
  }
  for (auto name : required_urls) {
    if (!doc.contains(name)) {
      out.push_back({true, "missing_field", fmt::format("required field \"{}\" is missing", name)});
    }
  }
  for (auto name : required_lists) {
    const std::string key(name);
    if (!doc.contains(key)) {
      out.push_back({true, "missing_field", fmt::format("required field \"{}\" is missing", name)});
    } else if (!doc[key].is_array()) {
      out.push_back({true, "bad_field", fmt::format("\"{}\" is not an array", name)});
    } else {
      for (const auto& v : doc[key]) {
        if (!v.is_string()) {
          out.push_back({true, "bad_field", fmt::format("\"{}\" holds a non-string", name)});
          break;
        }
      }
    }
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (is_endpoint_member(it.key())) {
      check_url_member(it.key(), it.value(), allow_http, out);
    }
  }
  if (doc.contains("mtls_endpoint_aliases") && doc["mtls_endpoint_aliases"].is_object()) {
    for (auto it = doc["mtls_endpoint_aliases"].begin(); it != doc["mtls_endpoint_aliases"].end();
         ++it) {
      check_url_member("mtls_endpoint_aliases." + it.key(), it.value(), allow_http, out);
    }
  }
  if (!doc.contains("introspection_endpoint") && doc.contains("token_introspection_endpoint")) {
    out.push_back({false,
                   "legacy_field",
                   "only the legacy \"token_introspection_endpoint\" is published (Keycloak 10 "
                   "and older); it is used for introspection"});
  }
  return out;
}

std::string Discovery::field(std::string_view name) const {
  const util::Json& d = doc();
  const std::string key(name);
  if (d.is_object() && d.contains(key) && d[key].is_string()) {
    return d[key].get<std::string>();
  }
  return {};
}

std::string Discovery::introspection_endpoint() const {
  std::string e = field("introspection_endpoint");
  return e.empty() ? field("token_introspection_endpoint") : e;
}

bool Discovery::has_errors() const {
  for (const auto& f : findings) {
    if (f.error) {
      return true;
    }
  }
  return false;
}

std::string keycloak_prefix_hint(std::string_view issuer) {
  auto url = http::parse_url(issuer);
  if (!url) {
    return {};
  }
  const std::string& path = url->path;
  if (auto at = path.find("/auth/realms/"); at != std::string::npos) {
    http::Url other = *url;
    other.path = path.substr(0, at) + path.substr(at + 5);
    return fmt::format("Keycloak 17 and later serve realms without the /auth prefix: try {}",
                       other.str());
  }
  if (auto at = path.find("/realms/"); at != std::string::npos) {
    http::Url other = *url;
    other.path = path.substr(0, at) + "/auth" + path.substr(at);
    return fmt::format("Keycloak 16 and older (or one started with --http-relative-path=/auth) "
                       "use the /auth prefix: try {}",
                       other.str());
  }
  return {};
}

Result<Discovery>
discover(cache::FetchContext& ctx, std::string_view issuer_or_url, DocumentKind kind) {
  TOLLGATE_TRY(auto target, discovery_target(issuer_or_url, kind));
  auto fetched = cache::fetch_json(ctx, target.url);
  if (!fetched) {
    Error e = std::move(fetched).error();
    if (e.code == "http_404") {
      if (const std::string hint = keycloak_prefix_hint(target.issuer); !hint.empty()) {
        e.message += "; " + hint;
      }
    }
    if (e.cls == ErrorClass::network) {
      e.message = fmt::format("{}: {}", doc_name(kind), e.message);
    }
    return e;
  }
  Discovery d;
  d.kind = kind;
  d.issuer = target.issuer;
  d.fetched = std::move(*fetched);
  const bool allow_http = ctx.http != nullptr && ctx.http->options().allow_http;
  d.findings = check_document(d.fetched.doc, d.issuer, kind, allow_http);
  return d;
}

Result<std::string> require_endpoint(const Discovery& d, std::string_view endpoint) {
  for (const auto& f : d.findings) {
    if (f.error && (f.code == "issuer_mismatch" || f.code == "not_object")) {
      return network_error(f.code,
                           fmt::format("{}: {}", http::display_url(d.fetched.url), f.message));
    }
  }
  const std::string value =
      endpoint == "introspection_endpoint" ? d.introspection_endpoint() : d.field(endpoint);
  if (value.empty()) {
    return network_error("missing_endpoint",
                         fmt::format("{}: the {} of {} has no \"{}\"",
                                     http::display_url(d.fetched.url),
                                     doc_name(d.kind),
                                     d.issuer,
                                     endpoint));
  }
  return value;
}

} // namespace tollgate::core::oidc
