#include "core/cache/fetch.hpp"

#include <climits>
#include <fmt/format.h>

#include <cstdlib>
#include <optional>

namespace tollgate::core::cache {
namespace {

// The trust context of the cache key: the CA bundle's canonical path, "" for the system store.
std::string trust_of(const http::ClientOptions& opts) {
  if (opts.cacert.empty()) {
    return {};
  }
  char resolved[PATH_MAX];
  return ::realpath(opts.cacert.c_str(), resolved) != nullptr ? std::string(resolved) : opts.cacert;
}

} // namespace

std::vector<Result<Fetched>>
fetch_json_all(FetchContext& ctx, const std::vector<std::string>& urls, bool force_network) {
  const double now = ctx.clock != nullptr ? ctx.clock->now() : util::SystemClock().now();
  const http::ClientOptions defaults;
  const http::ClientOptions& opts = ctx.http != nullptr ? ctx.http->options() : defaults;
  std::vector<std::optional<Result<Fetched>>> out(urls.size());
  std::vector<http::Request> requests;
  std::vector<std::size_t> which;
  const bool use_cache = ctx.policy.enabled && ctx.cache != nullptr;
  const std::string trust = trust_of(opts);
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const std::string& url = urls[i];
    if (auto ok = http::check_url(url, opts); !ok) {
      out[i] = std::move(ok).error();
      continue;
    }
    if (use_cache && (!force_network || ctx.policy.offline)) {
      if (auto e = ctx.cache->get(url, trust)) {
        const bool fresh = is_fresh(*e, ctx.policy, now);
        if (fresh || ctx.policy.offline) {
          auto doc = util::parse_json_strict(e->body, "cached document");
          if (doc) {
            Fetched f;
            f.url = url;
            f.doc = std::move(*doc);
            f.from_cache = true;
            f.stale = !fresh;
            f.fetched_at = e->fetched_at;
            f.ttl = ttl_for(*e, ctx.policy);
            out[i] = std::move(f);
            continue;
          }
        }
      }
    }
    if (ctx.policy.offline) {
      out[i] = network_error("offline",
                             fmt::format("{}: not in the cache and --offline forbids the "
                                         "network (run once without --offline)",
                                         http::display_url(url)));
      continue;
    }
    if (ctx.http == nullptr) {
      out[i] = internal_error("no HTTP client");
      continue;
    }
    http::Request r;
    r.url = url;
    r.headers.push_back({"Accept", "application/json"});
    requests.push_back(std::move(r));
    which.push_back(i);
  }
  if (!requests.empty()) {
    auto responses = ctx.http->perform_all(std::move(requests));
    for (std::size_t k = 0; k < responses.size(); ++k) {
      const std::size_t i = which[k];
      auto& resp = responses[k];
      if (!resp) {
        out[i] = std::move(resp).error();
        continue;
      }
      if (!resp->ok()) {
        // A document URL that fails is about the status, whatever error name the body gives.
        Error e = http::status_error(*resp);
        e.code = fmt::format("http_{}", resp->status);
        out[i] = std::move(e);
        continue;
      }
      auto doc = http::json_body(*resp);
      if (!doc) {
        out[i] = std::move(doc).error();
        continue;
      }
      Fetched f;
      f.url = urls[i];
      f.doc = std::move(*doc);
      f.fetched_at = now;
      Entry e;
      e.url = urls[i];
      e.fetched_at = now;
      e.max_age = parse_max_age(resp->header("cache-control"));
      e.content_type = resp->header("content-type");
      e.body = std::move(resp->body);
      e.cacert = trust;
      f.ttl = ttl_for(e, ctx.policy);
      if (use_cache && opts.insecure) {
        f.not_cached = "--insecure";
      } else if (use_cache) {
        if (auto put = ctx.cache->put(e); !put) {
          f.warnings.push_back(fmt::format("not cached: {}", put.error().message));
          f.not_cached = "the cache is not writable";
        }
      }
      out[i] = std::move(f);
    }
  }
  std::vector<Result<Fetched>> results;
  results.reserve(out.size());
  for (auto& r : out) {
    results.push_back(std::move(*r));
  }
  return results;
}

Result<Fetched> fetch_json(FetchContext& ctx, const std::string& url, bool force_network) {
  auto all = fetch_json_all(ctx, {url}, force_network);
  return std::move(all.front());
}

} // namespace tollgate::core::cache
