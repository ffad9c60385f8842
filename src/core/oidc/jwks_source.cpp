#include "core/oidc/jwks_source.hpp"

#include "core/http/url.hpp"
#include "core/keys/jwk.hpp"
#include "core/oidc/discovery.hpp"

#include <fmt/format.h>

#include <chrono>

namespace tollgate::core::oidc {
namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

RefetchLimiter::RefetchLimiter(std::function<double()> monotonic_seconds, double min_interval)
    : m_now(monotonic_seconds ? std::move(monotonic_seconds)
                              : std::function<double()>(steady_seconds)),
      m_min_interval(min_interval) {}

bool RefetchLimiter::allow(const std::string& url) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const double now = m_now();
  auto it = m_last.find(url);
  if (it != m_last.end() && now - it->second < m_min_interval) {
    return false;
  }
  m_last[url] = now;
  return true;
}

void RefetchLimiter::note_fetch(const std::string& url) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_last[url] = m_now();
}

RefetchLimiter& RefetchLimiter::process() {
  static RefetchLimiter limiter;
  return limiter;
}

Result<keys::KeySet> keyset_from_jwks_document(const util::Json& doc, const std::string& url) {
  const std::string where = fmt::format("JWKS {}", http::display_url(url));
  if (!doc.is_object() || !doc.contains("keys")) {
    return network_error("bad_jwks", fmt::format("{}: not a JWK set (no \"keys\" array)", where));
  }
  auto set = keys::keyset_from_json(doc, where);
  if (!set) {
    Error e = std::move(set).error();
    e.cls = ErrorClass::network;
    e.code = "bad_jwks";
    return e;
  }
  return set;
}

JwksSource::JwksSource(cache::FetchContext& ctx,
                       std::string jwks_url,
                       std::string issuer,
                       RefetchLimiter* limiter)
    : m_ctx(&ctx), m_url(std::move(jwks_url)), m_issuer(std::move(issuer)),
      m_limiter(limiter != nullptr ? limiter : &RefetchLimiter::process()) {}

Result<JwksSource>
JwksSource::for_issuer(cache::FetchContext& ctx, std::string_view issuer, RefetchLimiter* limiter) {
  TOLLGATE_TRY(auto d, discover(ctx, issuer, DocumentKind::openid));
  TOLLGATE_TRY(std::string jwks_uri, require_endpoint(d, "jwks_uri"));
  JwksSource src(ctx, jwks_uri, d.issuer, limiter);
  src.m_warnings = std::move(d.fetched.warnings);
  return src;
}

Result<void> JwksSource::load(bool force_network) {
  TOLLGATE_TRY(auto fetched, cache::fetch_json(*m_ctx, m_url, force_network));
  TOLLGATE_TRY(auto set, keyset_from_jwks_document(fetched.doc, m_url));
  if (!fetched.from_cache) {
    m_limiter->note_fetch(m_url);
  }
  for (auto& w : fetched.warnings) {
    m_warnings.push_back(std::move(w));
  }
  fetched.warnings.clear();
  m_fetched = std::move(fetched);
  m_keys = std::make_shared<const keys::KeySet>(std::move(set));
  return {};
}

Result<std::shared_ptr<const keys::KeySet>> JwksSource::keys() {
  if (!m_keys) {
    TOLLGATE_CHECK(load(false));
  }
  return m_keys;
}

Result<bool> JwksSource::refresh_for_unknown_kid() {
  if (m_ctx->policy.offline || !m_limiter->allow(m_url)) {
    return false;
  }
  TOLLGATE_CHECK(load(true));
  return true;
}

std::vector<std::string> JwksSource::take_warnings() {
  std::vector<std::string> out;
  out.swap(m_warnings);
  return out;
}

} // namespace tollgate::core::oidc
