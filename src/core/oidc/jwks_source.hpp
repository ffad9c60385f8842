#pragma once

#include "core/cache/fetch.hpp"
#include "core/keys/key.hpp"
#include "core/util/result.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::oidc {

// How often a JWKS URL may be refetched because a token named an unknown kid. The first refetch
// of a process is always allowed (so every invocation picks up a key rotation at once, even when
// the cached copy is fresh); after that, and after any network fetch of the URL, at most one per
// `min_interval` seconds (batch modes, long-running processes). Thread-safe.
class RefetchLimiter {
public:
  explicit RefetchLimiter(std::function<double()> monotonic_seconds = {}, double min_interval = 10);
  // May `url` be refetched now? Records the refetch when it may.
  bool allow(const std::string& url);
  // A network fetch of `url` happened (it restarts the interval).
  void note_fetch(const std::string& url);
  // The process-wide limiter used by default.
  static RefetchLimiter& process();

private:
  std::function<double()> m_now;
  double m_min_interval;
  std::mutex m_mutex;
  std::map<std::string, double> m_last;
};

// The keys of a JWKS URL, or of an issuer (discovery, then its jwks_uri), through the cache.
// This is the API `verify --jwks URL` / `verify --issuer ISS` use:
//
//   auto src = JwksSource::for_issuer(ctx, iss);          // or JwksSource(ctx, url)
//   TOLLGATE_TRY(auto keys, src->keys());
//   ... select/verify; on key_not_found for the token's kid:
//   TOLLGATE_TRY(bool refetched, src->refresh_for_unknown_kid());
//   if (refetched) { TOLLGATE_TRY(keys, src->keys()); ... retry once }
//
// Not thread-safe; key sets handed out stay valid after a refresh (shared_ptr).
class JwksSource {
public:
  JwksSource(cache::FetchContext& ctx,
             std::string jwks_url,
             std::string issuer = {},
             RefetchLimiter* limiter = nullptr);

  // Discovery of `issuer` (OpenID configuration; the issuer must match exactly), then jwks_uri.
  static Result<JwksSource>
  for_issuer(cache::FetchContext& ctx, std::string_view issuer, RefetchLimiter* limiter = nullptr);

  const std::string& url() const { return m_url; }
  // The issuer whose discovery named the JWKS ("" for a bare URL): the expected "iss".
  const std::string& issuer() const { return m_issuer; }

  // The current key set: loaded on first call (fresh cache entry, else the network).
  Result<std::shared_ptr<const keys::KeySet>> keys();

  // A token named a kid that the current set lacks: refetch from the network, bypassing a fresh
  // cache entry, when the limiter allows. Returns true when a new set was fetched (then call
  // keys() again), false when the limiter said no (or --offline).
  Result<bool> refresh_for_unknown_kid();

  // Provenance of the current set (cache or network, when fetched) and warnings to show.
  const cache::Fetched& fetched() const { return m_fetched; }
  std::vector<std::string> take_warnings();

private:
  Result<void> load(bool force_network);

  cache::FetchContext* m_ctx;
  std::string m_url;
  std::string m_issuer;
  RefetchLimiter* m_limiter;
  std::shared_ptr<const keys::KeySet> m_keys;
  cache::Fetched m_fetched;
  std::vector<std::string> m_warnings;
};

// A key set from a JWKS document fetched from `url`; a document without a "keys" array is a
// network error (an IdP that serves the wrong thing), not a usage error.
Result<keys::KeySet> keyset_from_jwks_document(const util::Json& doc, const std::string& url);

} // namespace tollgate::core::oidc
