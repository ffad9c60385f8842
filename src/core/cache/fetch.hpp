#pragma once

#include "core/cache/cache.hpp"
#include "core/http/client.hpp"
#include "core/util/json.hpp"
#include "core/util/time.hpp"

#include <string>
#include <vector>

namespace tollgate::core::cache {

// What fetching JSON documents through the cache needs. `cache` may be null (no usable cache
// directory); `http` is only used on a miss.
struct FetchContext {
  http::HttpClient* http = nullptr;
  const DiskCache* cache = nullptr;
  Policy policy;
  const util::Clock* clock = nullptr;
};

struct Fetched {
  std::string url;
  util::Json doc;
  bool from_cache = false;
  bool stale = false;                // served from an expired entry because of --offline
  double fetched_at = 0;             // when the document was fetched from the network
  std::int64_t ttl = 0;              // how long it is fresh from fetched_at
  std::string not_cached;            // why a network fetch was not stored ("--insecure"), or ""
  std::vector<std::string> warnings; // e.g. the cache could not be written
};

// Fetch a JSON document (discovery, JWKS): a fresh cache entry when there is one (unless
// `force_network`), else the network, then store it. With --offline a stale entry is used and a
// miss is a network error that says so. The URL policy (http refused) is checked first, before
// the cache or the network is touched.
//
// Trust is part of the key: entries fetched with a CA bundle (ClientOptions::cacert) are stored
// and served only under that bundle's canonical path, and a response fetched with --insecure is
// never stored (it may come from anyone on the path), so no run that verifies TLS is ever served
// what an unverified or differently trusted connection delivered.
Result<Fetched> fetch_json(FetchContext& ctx, const std::string& url, bool force_network = false);

// The same for several URLs at once: the misses are fetched concurrently.
std::vector<Result<Fetched>>
fetch_json_all(FetchContext& ctx, const std::vector<std::string>& urls, bool force_network = false);

} // namespace tollgate::core::cache
