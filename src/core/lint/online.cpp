#include "core/lint/online.hpp"

#include "core/jose/alg.hpp"
#include "core/keys/jwk.hpp"
#include "core/keys/select.hpp"
#include "core/lint/apisix.hpp"
#include "core/lint/krakend_schema.hpp"
#include "core/lint/values.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <map>

namespace tollgate::core::lint {

namespace {

// One fetch per URL and file, however many endpoints name it.
class CachedProbe {
public:
  CachedProbe(LintOnlineProbe& probe, FileReport& rep) : m_probe(probe), m_rep(rep) {}
  const Result<util::Json>& get(const std::string& url) {
    auto it = m_cache.find(url);
    if (it == m_cache.end()) {
      it = m_cache.emplace(url, m_probe.fetch_json(url)).first;
      if (!it->second.ok() && it->second.error().cls == ErrorClass::network) {
        ++m_rep.online_failures;
      }
    }
    return it->second;
  }

private:
  LintOnlineProbe& m_probe;
  FileReport& m_rep;
  std::map<std::string, Result<util::Json>> m_cache;
};

bool judged_url(Value v) {
  return v.is_string() && !has_placeholder(v.str()) && !v.str().empty();
}

std::string strip_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') {
    s.remove_suffix(1);
  }
  return std::string(s);
}

void check_jwks(Context& cx, CachedProbe& probe, const std::string& ptr, Value block) {
  const Value url = block.get("jwk_url");
  if (!judged_url(url)) {
    return;
  }
  const std::string url_ptr = pointer_join(ptr, "jwk_url");
  const auto& got = probe.get(std::string(url.str()));
  if (!got.ok()) {
    cx.at(Rule::online_jwks_unreachable,
          url_ptr,
          url,
          fmt::format("jwk_url could not be fetched: {}", got.error().message));
    return;
  }
  auto set = keys::keyset_from_json(*got, std::string(url.str()));
  if (!set.ok()) {
    cx.at(Rule::online_jwks_unreachable,
          url_ptr,
          url,
          fmt::format("jwk_url did not answer with a JWKS: {}", set.error().message));
    return;
  }
  const Value alg = block.get("alg");
  const jose::AlgInfo* info = alg.is_string() ? jose::find_alg(alg.str()) : nullptr;
  if (info == nullptr) {
    return; // an unknown alg is a schema finding already
  }
  const auto sel = keys::select_keys(*set, *info, nullptr, false);
  if (sel.candidates.empty()) {
    cx.at(Rule::online_jwks_no_usable_key,
          url_ptr,
          url,
          fmt::format("the JWKS at jwk_url has {} key(s) but none usable with alg {}: {}",
                      set->keys.size(),
                      alg.str(),
                      sel.message));
  }
}

void check_issuer(Context& cx, CachedProbe& probe, const std::string& ptr, Value block) {
  const Value issuer = block.get("issuer");
  if (!judged_url(issuer)) {
    return;
  }
  const std::string disc = discovery_url_for(block.get("jwk_url").str(), issuer.str());
  if (disc.empty()) {
    return;
  }
  const auto& got = probe.get(disc);
  const std::string iptr = pointer_join(ptr, "issuer");
  if (!got.ok()) {
    cx.at(Rule::online_discovery_unreachable,
          iptr,
          issuer,
          fmt::format("the issuer's discovery document could not be fetched, so the issuer could "
                      "not be checked: {}",
                      got.error().message));
    return;
  }
  const auto it = got->find("issuer");
  if (it == got->end() || !it->is_string()) {
    cx.at(Rule::online_discovery_unreachable,
          iptr,
          issuer,
          fmt::format("{} has no \"issuer\"", disc));
    return;
  }
  const std::string actual = it->get<std::string>();
  if (actual != issuer.str()) {
    const std::string why = issuer_difference(issuer.str(), actual);
    cx.at(Rule::online_issuer_mismatch,
          iptr,
          issuer,
          fmt::format(
              "issuer {} differs from the IdP's {}{}: every token fails the issuer check (401)",
              util::quote(issuer.str(), 100),
              util::quote(actual, 100),
              why.empty() ? "" : " (" + why + ")"),
          fmt::format("write \"issuer\": {}", util::quote(actual, 200)));
  }
}

void online_krakend(Context& cx, CachedProbe& probe) {
  const Value endpoints = cx.doc().root().get("endpoints");
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const Value extra = endpoints.at(i).get("extra_config");
    for (std::string_view ns : {krakend::kValidatorNs, krakend::kLegacyValidatorNs}) {
      const Value block = extra.get(ns);
      if (!block.is_object()) {
        continue;
      }
      const std::string ptr =
          pointer_join(pointer_join(pointer_join("/endpoints", i), "extra_config"), ns);
      check_jwks(cx, probe, ptr, block);
      check_issuer(cx, probe, ptr, block);
    }
  }
}

void online_apisix(Context& cx, CachedProbe& probe) {
  for (const auto& site : apisix::find_plugin_sites(cx.doc(), cx.shape())) {
    const Value b = site.block;
    const Value disc = b.get("discovery");
    if (!judged_url(disc)) {
      continue;
    }
    const std::string dptr = pointer_join(site.ptr, "discovery");
    const auto& got = probe.get(std::string(disc.str()));
    if (!got.ok() || !got->is_object()) {
      cx.at(
          Rule::online_discovery_unreachable,
          dptr,
          disc,
          fmt::format("discovery could not be fetched, so APISIX answers 503 to every request: {}",
                      got.ok() ? "the answer is not a JSON object" : got.error().message));
      continue;
    }
    const util::Json& doc = *got;
    auto field = [&](const char* name) {
      const auto it = doc.find(name);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (b.get("lazy_load_paths").is_true() && !b.get("resource_registration_endpoint")
        && field("resource_registration_endpoint").empty()) {
      cx.at(Rule::online_discovery_not_uma2,
            dptr,
            disc,
            "lazy_load_paths is on but the discovery document has no "
            "resource_registration_endpoint (it is not the "
            "UMA2 document): every request gets 503",
            "use .../.well-known/uma2-configuration");
    }
    for (const char* name : {"token_endpoint", "resource_registration_endpoint"}) {
      const Value mine = b.get(name);
      const std::string theirs = field(name);
      if (judged_url(mine) && !theirs.empty() && strip_slash(mine.str()) != strip_slash(theirs)) {
        cx.at(Rule::online_endpoint_mismatch,
              pointer_join(site.ptr, name),
              mine,
              fmt::format("{} {} differs from discovery's {}: the explicit value wins",
                          name,
                          util::quote(mine.str(), 100),
                          util::quote(theirs, 100)));
      }
    }
  }
}

} // namespace

std::string discovery_url_for(std::string_view jwk_url, std::string_view issuer) {
  constexpr std::string_view kCerts = "/protocol/openid-connect/certs";
  if (jwk_url.ends_with(kCerts) && looks_like_keycloak(jwk_url)) {
    return std::string(jwk_url.substr(0, jwk_url.size() - kCerts.size()))
           + "/.well-known/openid-configuration";
  }
  if (is_https(issuer) || is_plain_http(issuer)) {
    return strip_slash(issuer) + "/.well-known/openid-configuration";
  }
  return {};
}

std::string issuer_difference(std::string_view configured, std::string_view actual) {
  if (strip_slash(configured) == strip_slash(actual)) {
    return "trailing slash";
  }
  auto without_auth = [](std::string_view s) {
    std::string out(s);
    const auto p = out.find("/auth/realms/");
    if (p != std::string::npos) {
      out.erase(p, 5);
    }
    return strip_slash(out);
  };
  if (without_auth(configured) == without_auth(actual)) {
    return actual.find("/auth/realms/") != std::string_view::npos
               ? "the IdP uses the /auth prefix (Keycloak before 17)"
               : "the IdP has no /auth prefix (Keycloak 17 and later)";
  }
  auto scheme_less = [](std::string_view s) {
    const auto p = s.find("://");
    return p == std::string_view::npos ? strip_slash(s) : strip_slash(s.substr(p + 3));
  };
  if (scheme_less(configured) == scheme_less(actual)) {
    return "http vs https";
  }
  return {};
}

void lint_online(Context& cx, LintOnlineProbe& probe) {
  CachedProbe cached(probe, cx.report());
  if (cx.shape() == Shape::krakend) {
    online_krakend(cx, cached);
  } else {
    online_apisix(cx, cached);
  }
}

} // namespace tollgate::core::lint
